import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Connection } from 'mongoose';
import {
  EnrolmentAccepted,
  EnrolmentCancelled,
  EventDefinition,
  QuotientFamilialChanged,
  Topics,
} from '@guichet/contracts';
import { loadConfig, startService } from '@guichet/platform';
import {
  expectEventually,
  KafkaProbe,
  testInfrastructure,
  TestTokenIssuer,
  uniqueMongoUri,
  uniqueName,
  ownConsumerGroup,
} from '@guichet/testing';
import { TariffsConfig } from '../tariffs.config';
import { tariffsService } from '../tariffs.service';
import { TestEventSender } from '../test-support/tariffs-harness';

const demo = JSON.parse(readFileSync(join(__dirname, '..', '..', 'demo', 'cantine.grid.json'), 'utf8'));

describe('pricing enrolments by events (real Kafka and FerretDB)', () => {
  const issuer = new TestTokenIssuer();
  const gridId = uniqueName('cantine');
  const householdId = uniqueName('hh');
  const enrolmentId = uniqueName('enr');
  let app: INestApplication;
  let base: string;
  let finance: string;
  let prices: KafkaProbe;
  const events = new TestEventSender();

  beforeAll(async () => {
    await issuer.start();
    const group = ownConsumerGroup('tariffs');
    const config = loadConfig(TariffsConfig, {
      ...group.env,
      PORT: '3303',
      MONGODB_URI: uniqueMongoUri('tariffs-pricing'),
      KAFKA_BROKERS: testInfrastructure.kafkaBrokers.join(','),
      AUTH_JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: 'error',
    });
    app = await startService(tariffsService, config, 0);
    await group.joined();
    base = await app.getUrl();
    finance = await issuer.token({ sub: 'finance-1', role: 'finance' });
    prices = await new KafkaProbe().watch(Topics.prices);
    const created = await fetch(`${base}/grids`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${finance}` },
      body: JSON.stringify({ ...demo, id: gridId }),
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await prices.stop();
    await events.stop();
    await app.close();
    await issuer.stop();
  });

  const send = <T extends object>(definition: EventDefinition<T>, subject: string, data: T, id?: string) =>
    events.send(definition, subject, data, id);
  const priceEvents = (reason?: string) =>
    prices.records
      .filter((r) => r.key === enrolmentId)
      .map((r) => JSON.parse(r.value ?? '{}'))
      .filter((data) => reason === undefined || data.reason === reason);

  it('prices an accepted enrolment once, even when the acceptance is delivered twice', async () => {
    const accepted = {
      enrolmentId,
      householdId,
      childId: 'child-1',
      offerId: 'offer-1',
      service: 'cantine',
      tariffGridId: gridId,
      startsOn: '2026-09-01',
    };
    const first = await send(EnrolmentAccepted, enrolmentId, accepted);
    await send(EnrolmentAccepted, enrolmentId, accepted, first.id);
    const [price] = await expectEventually(() => {
      const found = priceEvents('accepted');
      expect(found).toHaveLength(1);
      return found;
    });
    // No QF known yet: the grid's policy is the highest tranche (T8, 7,00 €).
    expect(price).toMatchObject({ gridId, gridVersion: 1, unitPriceCents: 700, appliesFrom: '2026-09-01' });
    expect(price.explanation[0]).toBe('QF non fourni → tranche la plus haute T8 (1800 € et plus) : 7,00 €');
    const record = prices.records.find((r) => r.key === enrolmentId);
    expect(record?.headers.ce_causationid).toBe(first.id);
  });

  it('reprices from the date a new QF applies', async () => {
    await send(QuotientFamilialChanged, householdId, {
      householdId,
      qfRecordId: 'qf-1',
      quotientFamilial: 742,
      source: 'caf',
      appliesFrom: '2026-10-01',
    });
    const [price] = await expectEventually(() => {
      const found = priceEvents('qf-changed');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(price).toMatchObject({ unitPriceCents: 290, appliesFrom: '2026-10-01', qfRecordId: 'qf-1' });
  });

  it('reprices from its effective date when the grid gets a new version', async () => {
    const v2 = { ...demo.versions[0], effectiveFrom: '2027-01-01' };
    v2.pricing = {
      ...v2.pricing,
      prices: v2.pricing.prices.map((p: { priceCents: number }) => ({ ...p, priceCents: p.priceCents + 10 })),
    };
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${finance}` };
    expect(
      (
        await fetch(`${base}/grids/${gridId}/versions/2`, {
          method: 'PUT',
          headers,
          body: JSON.stringify(v2),
        })
      ).status,
    ).toBe(200);
    const publish = await fetch(`${base}/grids/${gridId}/versions/2/publish`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ reason: 'Délibération 2026-130' }),
    });
    expect(publish.status).toBe(200);
    const [price] = await expectEventually(() => {
      const found = priceEvents('grid-published');
      expect(found).toHaveLength(1); // version 1's own announcement reprices nothing: it priced the acceptance
      return found;
    });
    expect(price).toMatchObject({ gridVersion: 2, unitPriceCents: 300, appliesFrom: '2027-01-01' });
    // By now the duplicated acceptance has long been consumed: still one price for it.
    expect(priceEvents('accepted')).toHaveLength(1);
  });

  it('keeps the later prices when a QF change reprices from an earlier date', async () => {
    await send(QuotientFamilialChanged, householdId, {
      householdId,
      qfRecordId: 'qf-2',
      quotientFamilial: 400,
      source: 'caf',
      appliesFrom: '2026-11-01',
    });
    const found = await expectEventually(() => {
      const events = priceEvents('qf-changed').filter((p) => p.qfRecordId === 'qf-2');
      expect(events).toHaveLength(2);
      return events;
    });
    // From November, QF 400 (T2): 1,50 € under version 1, then 1,60 € under version 2 from January.
    expect(found.map((p) => [p.appliesFrom, p.gridVersion, p.unitPriceCents])).toEqual([
      ['2026-11-01', 1, 150],
      ['2027-01-01', 2, 160],
    ]);
  });

  it('prices an enrolment accepted before its grid exists once the grid arrives', async () => {
    const lateGrid = uniqueName('late-grid');
    const lateEnrolment = uniqueName('enr-late');
    await send(EnrolmentAccepted, lateEnrolment, {
      enrolmentId: lateEnrolment,
      householdId,
      childId: 'child-2',
      offerId: 'offer-2',
      service: 'cantine',
      tariffGridId: lateGrid,
      startsOn: '2026-09-01',
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // accepted, unpriced: nothing is published
    expect(prices.records.filter((r) => r.key === lateEnrolment)).toHaveLength(0);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${finance}` };
    expect(
      (
        await fetch(`${base}/grids`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ ...demo, id: lateGrid }),
        })
      ).status,
    ).toBe(201);
    const priced = await expectEventually(() => {
      const found = prices.records
        .filter((r) => r.key === lateEnrolment)
        .map((r) => JSON.parse(r.value ?? '{}'));
      expect(found.length).toBeGreaterThanOrEqual(1);
      return found;
    });
    // Priced from the start with the QF records the household has: 742 from October, 400 from November.
    expect(priced.map((p) => [p.appliesFrom, p.unitPriceCents, p.reason])).toEqual([
      ['2026-09-01', 700, 'grid-published'],
      ['2026-10-01', 290, 'grid-published'],
      ['2026-11-01', 150, 'grid-published'],
    ]);
  });

  it('simulates a draft over the live enrolments, an uploaded CSV, and names a bad CSV line', async () => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${finance}` };
    const v3 = { ...demo.versions[0], effectiveFrom: '2027-09-01' };
    v3.pricing = {
      ...v3.pricing,
      prices: v3.pricing.prices.map((p: { priceCents: number }) => ({ ...p, priceCents: p.priceCents + 60 })),
    };
    expect(
      (
        await fetch(`${base}/grids/${gridId}/versions/3`, {
          method: 'PUT',
          headers,
          body: JSON.stringify(v3),
        })
      ).status,
    ).toBe(200);
    const simulate = (body: object) =>
      fetch(`${base}/grids/${gridId}/versions/3/simulate`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ date: '2027-02-01', ...body }),
      });

    // The live enrolment: QF 400 (since November) pays 1,60 € under version 2, 2,10 € under version 3.
    const live = await (await simulate({})).json();
    expect(live).toMatchObject({
      households: 1,
      revenueBeforeCents: 160,
      revenueAfterCents: 210,
      payMore: 1,
    });

    const csv = 'householdId,resident,qf,quantity\nh1,true,100,10\nh2,false,,4\n';
    const uploaded = await (await simulate({ populationCsv: csv })).json();
    // h1: 10 × (1,10 € → 1,60 €); h2 non-resident: 4 × 12,00 € either way.
    expect(uploaded).toMatchObject({
      households: 2,
      revenueBeforeCents: 1100 + 4800,
      revenueAfterCents: 1600 + 4800,
    });

    const bad = await simulate({ populationCsv: 'householdId,resident,qf\nh1,true,-3\n' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: unknown }).errors).toEqual([
      { field: 'populationCsv', message: 'line 2: qf must be a whole number, not "-3"' },
    ]);
  });

  it('prices a cancelled enrolment no more after its last day', async () => {
    const ended = uniqueName('enr-ended');
    const ref = {
      enrolmentId: ended,
      householdId,
      childId: 'child-3',
      offerId: 'offer-3',
      service: 'cantine',
    };
    await send(EnrolmentAccepted, ended, { ...ref, tariffGridId: gridId, startsOn: '2026-09-01' });
    await expectEventually(() => expect(prices.records.some((r) => r.key === ended)).toBe(true));
    await send(EnrolmentCancelled, ended, {
      ...ref,
      cancelledBy: 'family',
      heldPlace: true,
      endsOn: '2026-12-31',
    });
    // The cancellation and the QF travel on different topics: the QF goes once the cancellation is read.
    const db = app.get<Connection>('DatabaseConnection').db;
    await expectEventually(async () =>
      expect(await db?.collection('enrolment_prices').findOne({ _id: ended as never })).toMatchObject({
        endsOn: '2026-12-31',
      }),
    );
    await send(QuotientFamilialChanged, householdId, {
      householdId,
      qfRecordId: 'qf-3',
      quotientFamilial: 1200,
      source: 'caf',
      appliesFrom: '2027-03-01',
    });
    // The live enrolment is repriced from March; the cancelled one, ended in December, is not.
    await expectEventually(() =>
      expect(priceEvents('qf-changed').filter((p) => p.qfRecordId === 'qf-3')).toHaveLength(1),
    );
    const endedPrices = prices.records.filter((r) => r.key === ended).map((r) => JSON.parse(r.value ?? '{}'));
    expect(endedPrices.filter((p) => p.qfRecordId === 'qf-3')).toEqual([]);
  });
});
