import type { Connection } from 'mongoose';
import { databaseFingerprint, expectEventually, fuzzService } from '@guichet/testing';
import { EnrolmentsHarness } from './enrolments-harness';

/** Change it to explore other requests; a failure names its request, and the same seed replays it. */
const SEED = 20_261_204;

describe('enrolments refuses malformed requests to every endpoint of its OpenAPI document (real Kafka and FerretDB)', () => {
  const harness = new EnrolmentsHarness();

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('never answers 5xx, answers every 4xx as problem+json, and a refused request changes nothing', async () => {
    // A site, a period, an offer and an accepted enrolment with bookings, so that path ids reach the
    // checks behind them.
    const offer = await harness.offer({ capacity: 5 });
    const family = await harness.family();
    const enrolled = await harness.enrol(family, family.children[0], offer.id);
    expect(enrolled.status).toBe(201);
    const agent = await harness.issuer.token({ sub: 'agent-fuzz', role: 'agent', scopes: ['*'] });
    const db = harness.app.get<Connection>('DatabaseConnection').db;
    if (!db) throw new Error('no database');
    // The household projection is written by the consumers of the shared topics, whatever the requests.
    const state = () => databaseFingerprint(db, ['household_facts']);
    await expectEventually(async () =>
      expect(await db.collection('enrolments').countDocuments({ outboxSince: { $exists: true } })).toBe(0),
    );

    const ids: Record<string, string> = {
      enrolments: enrolled.body.id,
      offers: offer.id,
      sites: 'ecole-jaures',
      periods: 'annee-2026-2027',
      allocations: 'no-such-allocation',
    };
    const document = (await harness.call('GET', '/docs/openapi.json', harness.admin)).body;
    const report = await fuzzService({
      baseUrl: harness.base,
      document,
      tokens: [harness.admin, agent, family.token],
      state,
      seed: SEED,
      maxPerOperation: 40,
      // `/offers/{id}/…` is an offer, `/enrolments/{id}/…` an enrolment: the first segment says which.
      pathValues: (name, path) => (name === 'id' ? ids[path.split('/')[1]] : undefined),
      skip: ({ path }) => path.startsWith('/health'),
    });

    expect(report.problems).toEqual([]);
    // Most malformed requests reached validation (400), rather than stopping at the role check.
    expect(report.statuses[400]).toBeGreaterThan(report.operations * 5);
    expect(report.operations).toBeGreaterThanOrEqual(20);
    expect(report.requests).toBeGreaterThan(report.operations * 15);
  });
});
