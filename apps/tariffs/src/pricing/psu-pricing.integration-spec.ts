import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Connection } from 'mongoose';
import { EnrolmentAccepted, PsuInputsChanged, Topics } from '@guichet/contracts';
import {
  expectEventually,
  KafkaProbe,
  ownConsumerGroup,
  requestJson,
  TestTokenIssuer,
  uniqueName,
} from '@guichet/testing';
import { startTariffs, TestEventSender } from '../test-support/tariffs-harness';

/** The demo crèche grid: the CNAF barème of REFERENCE.md §2, ceilings 6 000 €, 7 000 € (Sept 2024), 8 500 € (Sept 2025). */
const demo = JSON.parse(readFileSync(join(__dirname, '..', '..', 'demo', 'creche-psu.grid.json'), 'utf8'));
const CEILING_2025 = { effectiveFrom: '2025-09-01', value: 850_000 };

/** The same grid as a city had it before the CNAF announced the September 2025 ceiling. */
function gridBefore2025Ceiling(id: string) {
  const [version] = demo.versions;
  const ceilings = version.pricing.ceilings.filter(
    (c: { effectiveFrom: string }) => c.effectiveFrom !== CEILING_2025.effectiveFrom,
  );
  return { ...demo, id, versions: [{ ...version, pricing: { ...version.pricing, ceilings } }] };
}

describe('pricing crèche contracts with the PSU barème, by events (real Kafka and FerretDB)', () => {
  const issuer = new TestTokenIssuer();
  let app: INestApplication;
  let base: string;
  let finance: string;
  let prices: KafkaProbe;
  const events = new TestEventSender();

  beforeAll(async () => {
    await issuer.start();
    const group = ownConsumerGroup('tariffs');
    ({ app, base } = await startTariffs('tariffs-psu', issuer, group.env));
    await group.joined();
    finance = await issuer.token({ sub: 'finance-psu', role: 'finance' });
    prices = await new KafkaProbe().watch(Topics.prices);
  });

  afterAll(async () => {
    await prices.stop();
    await events.stop();
    await app.close();
    await issuer.stop();
  });

  const pricesOf = (enrolmentId: string) =>
    prices.records.filter((r) => r.key === enrolmentId).map((r) => JSON.parse(r.value ?? '{}'));
  const importGrid = async (grid: object) =>
    expect((await requestJson(`${base}/grids`, 'POST', { token: finance, body: grid })).status).toBe(201);

  /** A household earning 108 000 € a year (9 000 € a month, above every ceiling) with one child. */
  const psuInputs = (householdId: string) => ({
    householdId,
    psuInputsId: uniqueName('psu'),
    annualResourcesCents: 10_800_000,
    year: 2023,
    dependentChildren: 1,
    aeehChildren: 0,
    source: 'caf',
    appliesFrom: '2025-01-01',
  });
  /** 230 days of 9 h a year: 2 070 h, 172.5 h a month (REFERENCE.md §2, the Vincennes example). */
  const accepted = (enrolmentId: string, householdId: string, gridId: string) => ({
    enrolmentId,
    householdId,
    childId: uniqueName('child'),
    offerId: 'creche-offer',
    service: 'creche',
    tariffGridId: gridId,
    startsOn: '2025-01-06',
    contractHoursPerYear: 2_070,
  });

  it('prices a contract from the PSU inputs once they arrive, with its monthly price, and reprices it when a new ceiling is published', async () => {
    const gridId = uniqueName('creche');
    const householdId = uniqueName('hh');
    const enrolmentId = uniqueName('enr');
    await importGrid(gridBefore2025Ceiling(gridId));

    // Accepted before the household's resources are known: no price can be computed yet.
    await events.send(EnrolmentAccepted, enrolmentId, accepted(enrolmentId, householdId, gridId));
    const db = app.get<Connection>('DatabaseConnection').db;
    await expectEventually(async () =>
      expect(await db?.collection('enrolment_prices').findOne({ _id: enrolmentId as never })).toMatchObject({
        prices: [{ from: '2025-01-06', unpriced: expect.stringContaining('ressources') }],
      }),
    );
    const inputs = psuInputs(householdId);
    await events.send(PsuInputsChanged, householdId, inputs);
    await events.send(PsuInputsChanged, householdId, inputs); // a second record of the same inputs changes nothing
    const [first] = await expectEventually(() => {
      const found = pricesOf(enrolmentId);
      expect(found).toHaveLength(1);
      return found;
    });
    // 9 000 € a month, capped at the 7 000 € ceiling, × 0.0619 % (one child) = 4,333 € → 4,33 € an hour;
    // 2 070 h ÷ 12 × 4,33 € = 746,925 € → 746,93 € a month.
    expect(first).toMatchObject({
      appliesFrom: '2025-01-06',
      reason: 'psu-inputs-changed',
      psuInputsId: inputs.psuInputsId,
      gridVersion: 1,
      unitPriceCents: 433,
      monthlyContractCents: 74_693,
    });
    expect(first.qfRecordId).toBeUndefined();
    expect(first.explanation).toEqual([
      'Ressources mensuelles ramenées au plafond CNAF de 7 000,00 € (au 01/09/2024)',
      "Ressources mensuelles 7 000,00 € × taux d'effort 0,0619 % (1 enfant à charge) = 4,33 € de l'heure",
      'Contrat de 2070 h par an ÷ 12 = 172,5 h par mois × 4,33 € = 746,93 € par mois',
    ]);

    // Finance publishes the CNAF's new ceiling as version 2 from its date: the running contract follows.
    const v2 = {
      ...demo.versions[0],
      version: 2,
      status: 'draft',
      effectiveFrom: CEILING_2025.effectiveFrom,
      published: undefined,
    };
    expect(
      (await requestJson(`${base}/grids/${gridId}/versions/2`, 'PUT', { token: finance, body: v2 })).status,
    ).toBe(200);
    const published = await requestJson(`${base}/grids/${gridId}/versions/2/publish`, 'POST', {
      token: finance,
      body: { reason: 'Plafond CNAF au 1er septembre 2025' },
    });
    expect(published.status).toBe(200);
    const repriced = await expectEventually(() => {
      const found = pricesOf(enrolmentId).filter((p) => p.reason === 'grid-published');
      expect(found).toHaveLength(1);
      return found[0];
    });
    // 8 500 € × 0.0619 % = 5,2615 € → 5,26 €; 2 070 h ÷ 12 × 5,26 € = 907,35 € a month.
    expect(repriced).toMatchObject({
      appliesFrom: '2025-09-01',
      gridVersion: 2,
      psuInputsId: inputs.psuInputsId,
      unitPriceCents: 526,
      monthlyContractCents: 90_735,
    });
  });

  it('prices a contract at every dated CNAF value its grid already holds', async () => {
    const gridId = uniqueName('creche');
    const householdId = uniqueName('hh');
    const enrolmentId = uniqueName('enr');
    await importGrid({ ...demo, id: gridId });
    // In whichever order tariffs reads them, the contract is priced from its first day on.
    await events.send(PsuInputsChanged, householdId, psuInputs(householdId));
    await events.send(EnrolmentAccepted, enrolmentId, accepted(enrolmentId, householdId, gridId));
    await expectEventually(() => expect(pricesOf(enrolmentId).length).toBeGreaterThanOrEqual(2));
    expect(
      pricesOf(enrolmentId).map((p) => [p.appliesFrom, p.unitPriceCents, p.monthlyContractCents]),
    ).toEqual([
      ['2025-01-06', 433, 74_693],
      ['2025-09-01', 526, 90_735],
    ]);
  });
});
