import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Topics } from '@guichet/contracts';
import { loadConfig, startService } from '@guichet/platform';
import {
  expectEventually,
  KafkaProbe,
  requestJson,
  testInfrastructure,
  TestTokenIssuer,
  uniqueMongoUri,
  uniqueName,
} from '@guichet/testing';
import { TariffsConfig } from '../tariffs.config';
import { tariffsService } from '../tariffs.service';

const demo = JSON.parse(readFileSync(join(__dirname, '..', '..', 'demo', 'cantine.grid.json'), 'utf8'));

describe('tariff grids over HTTP (real FerretDB, Kafka and token verification)', () => {
  const issuer = new TestTokenIssuer();
  let app: INestApplication;
  let base: string;
  let probe: KafkaProbe;
  let finance: string;
  let family: string;
  const gridId = uniqueName('cantine');
  const grid = { ...demo, id: gridId };

  beforeAll(async () => {
    await issuer.start();
    const config = loadConfig(TariffsConfig, {
      PORT: '3203',
      MONGODB_URI: uniqueMongoUri('tariffs'),
      KAFKA_BROKERS: testInfrastructure.kafkaBrokers.join(','),
      AUTH_JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: 'error',
    });
    app = await startService(tariffsService, config, 0);
    base = await app.getUrl();
    probe = await new KafkaProbe().watch(Topics.tariffGrids);
    finance = await issuer.token({ sub: 'finance-1', role: 'finance' });
    family = await issuer.token({ sub: 'parent-1', role: 'family', hid: 'hh-1' });
  });

  afterAll(async () => {
    await probe.stop();
    await app.close();
    await issuer.stop();
  });

  const call = (method: string, path: string, token?: string, body?: unknown) =>
    requestJson(`${base}${path}`, method, { token, body });

  it('lets finance import a grid, every authenticated user read it, nobody else', async () => {
    expect((await call('POST', '/grids', family, grid)).status).toBe(403);
    expect((await call('POST', '/grids', undefined, grid)).status).toBe(401);
    expect((await call('POST', '/grids', finance, grid)).status).toBe(201);
    const read = await call('GET', `/grids/${gridId}`, family);
    expect(read.status).toBe(200);
    expect(read.body.grid).toEqual(grid); // exported unchanged
    expect(read.body.history).toEqual([expect.objectContaining({ by: 'finance-1', action: 'created' })]);
    expect((await call('POST', '/grids', finance, grid)).status).toBe(409);
  });

  it('checks a grid without storing it', async () => {
    expect((await call('POST', '/grids/validate', finance, grid)).body).toEqual({
      valid: true,
      problems: [],
    });
    const checked = await call('POST', '/grids/validate', finance, { ...grid, id: 'Not An Id' });
    expect(checked.body).toMatchObject({ valid: false, problems: [{ field: 'id' }] });
    expect((await call('POST', '/grids/validate', family, grid)).status).toBe(403);
  });

  it('refuses an invalid grid with problem+json naming the fields, and creates nothing', async () => {
    const broken = {
      ...grid,
      id: uniqueName('broken'),
      unit: 'litre',
      versions: [{ ...grid.versions[0], rounding: { mode: 'up', stepCents: 3 } }],
    };
    const answer = await call('POST', '/grids', finance, broken);
    expect(answer.status).toBe(400);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(answer.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['unit', 'versions[0].rounding.stepCents']),
    );
    expect((await call('GET', `/grids/${broken.id}`, finance)).status).toBe(404);
  });

  it('saves a draft, analyses and simulates it, publishes it with an event, then never changes it', async () => {
    const draft = { ...grid.versions[0], effectiveFrom: '2027-01-01', modifiers: [] };
    expect((await call('PUT', `/grids/${gridId}/versions/2`, finance, draft)).status).toBe(200);
    expect((await call('PUT', `/grids/${gridId}/versions/5`, finance, draft)).status).toBe(404);

    const coherence = await call('GET', `/grids/${gridId}/versions/2/coherence`, finance);
    expect(coherence.body.findings.find((f: { code: string }) => f.code === 'threshold')).toMatchObject({
      qf: 1800,
    });

    const simulation = await call('POST', `/grids/${gridId}/versions/2/simulate`, finance, {
      date: '2026-10-01',
      population: [{ householdId: 'h1', facts: { qf: 742, resident: true, childRank: 3, quantity: 10 } }],
    });
    // The draft drops the −20 % of the third child: 23,20 € → 29,00 € for ten meals.
    expect(simulation.body).toMatchObject({ revenueBeforeCents: 2320, revenueAfterCents: 2900, payMore: 1 });

    const published = await call('POST', `/grids/${gridId}/versions/2/publish`, finance, {
      reason: 'Délibération 2026-118',
    });
    expect(published.status).toBe(200);
    const event = await expectEventually(() => {
      const found = probe.records.find((r) => r.key === gridId && JSON.parse(r.value ?? '{}').version === 2);
      expect(found).toBeDefined();
      return found;
    });
    expect(JSON.parse(event?.value ?? '{}')).toEqual({ gridId, version: 2, effectiveFrom: '2027-01-01' });
    expect(event?.headers.ce_type).toBe('fr.guichet.tariff-grid.published.v1');

    expect((await call('PUT', `/grids/${gridId}/versions/2`, finance, draft)).status).toBe(409);
    expect(
      (await call('POST', `/grids/${gridId}/versions/2/publish`, finance, { reason: 'again' })).status,
    ).toBe(409);
  });

  it('refuses to publish a version that overlaps a published one, and changes nothing', async () => {
    const overlapping = { ...grid.versions[0], effectiveFrom: '2027-01-01' };
    expect((await call('PUT', `/grids/${gridId}/versions/3`, finance, overlapping)).status).toBe(200);
    const before = await call('GET', `/grids/${gridId}`, finance);
    const refused = await call('POST', `/grids/${gridId}/versions/3/publish`, finance, {
      reason: 'Délibération 2026-119',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      {
        field: 'versions[2].effectiveFrom',
        message: 'published versions 2 and 3 would both apply on 2027-01-01',
      },
    ]);
    expect((await call('GET', `/grids/${gridId}`, finance)).body).toEqual(before.body);
  });

  it('quotes a household with the explanation, and names the wrong field of a bad request', async () => {
    const quote = await call('POST', '/quotes', family, {
      gridId,
      date: '2026-09-07',
      household: { qf: 742, resident: true, quantity: 4 },
    });
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({ version: 1, unitPriceCents: 290, totalCents: 1160 });
    expect(quote.body.explanation[0]).toBe('QF 742 € → tranche T4 (700 à 899 €) : 2,90 €');
    expect(
      (
        await call('POST', '/quotes', family, {
          gridId,
          date: '2027-02-01',
          household: { qf: 742, resident: true },
        })
      ).body.version,
    ).toBe(2);

    const bad = await call('POST', '/quotes', family, { gridId, household: { qf: -5, resident: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'household.qf',
      'household.resident',
    ]);
    const early = await call('POST', '/quotes', family, {
      gridId,
      date: '2020-01-01',
      household: { qf: 742, resident: true },
    });
    expect(early.status).toBe(422);
    expect(early.body.errors).toEqual([expect.objectContaining({ field: 'date' })]);
  });

  it('compares tranche boundaries across the grids in force', async () => {
    const acm = JSON.parse(readFileSync(join(__dirname, '..', '..', 'demo', 'acm.grid.json'), 'utf8'));
    expect((await call('POST', '/grids', finance, { ...acm, id: uniqueName('acm') })).status).toBe(201);
    const findings = await call('GET', '/coherence/across-services?date=2026-10-01', finance);
    expect(findings.status).toBe(200);
    expect(findings.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'boundaries-differ', gridId })]),
    );
    expect((await call('GET', '/coherence/across-services?date=01/10/2026', finance)).status).toBe(400);
    expect((await call('GET', '/coherence/across-services?date=2026-02-30', finance)).status).toBe(400);
  });
});
