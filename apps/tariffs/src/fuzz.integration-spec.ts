import type { INestApplication } from '@nestjs/common';
import type { Connection } from 'mongoose';
import {
  databaseFingerprint,
  expectEventually,
  fuzzService,
  requestJson,
  TestTokenIssuer,
  uniqueName,
} from '@guichet/testing';
import { demoCantineGrid as demo, startTariffs } from './test-support/tariffs-harness';

/** Change it to explore other requests; a failure names its request, and the same seed replays it. */
const SEED = 20_261_204;

describe('tariffs refuses malformed requests to every endpoint of its OpenAPI document (real Kafka and FerretDB)', () => {
  const issuer = new TestTokenIssuer();
  const gridId = uniqueName('cantine');
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    await issuer.start();
    ({ app, base } = await startTariffs('tariffs-fuzz', issuer, { LOG_LEVEL: 'fatal' }));
  });

  afterAll(async () => {
    await app.close();
    await issuer.stop();
  });

  it('never answers 5xx, answers every 4xx as problem+json, and a refused request changes nothing', async () => {
    const finance = await issuer.token({ sub: 'finance-fuzz', role: 'finance' });
    const family = await issuer.token({ sub: 'family-fuzz', role: 'family', hid: uniqueName('hh') });
    // A published grid with a draft, so that path ids reach the checks behind them.
    const created = await requestJson(`${base}/grids`, 'POST', {
      token: finance,
      body: { ...demo, id: gridId },
    });
    expect(created.status).toBe(201);
    const db = app.get<Connection>('DatabaseConnection').db;
    if (!db) throw new Error('no database');
    // Household facts and prices are written by the consumers of the shared topics, whatever the
    // requests; grids are what requests change.
    const state = () => databaseFingerprint(db, ['household_facts', 'enrolment_prices']);
    // The relay's work on the grid just created is not a change made by a fuzzed request.
    await expectEventually(async () =>
      expect(await db.collection('tariff_grids').countDocuments({ outboxSince: { $exists: true } })).toBe(0),
    );

    const document = (await requestJson(`${base}/docs/openapi.json`, 'GET')).body;
    const report = await fuzzService({
      baseUrl: base,
      document,
      tokens: [finance, family],
      state,
      seed: SEED,
      maxPerOperation: 40,
      pathValues: { id: gridId, version: '1' },
      skip: ({ path }) => path.startsWith('/health'),
      verdicts: ({ method, path }) => method === 'POST' && path === '/grids/validate',
    });

    expect(report.problems).toEqual([]);
    // Most malformed requests reached validation (400), rather than stopping at the role check.
    expect(report.statuses[400]).toBeGreaterThan(report.operations * 5);
    expect(report.operations).toBeGreaterThanOrEqual(10);
    expect(report.requests).toBeGreaterThan(report.operations * 20);
  });
});
