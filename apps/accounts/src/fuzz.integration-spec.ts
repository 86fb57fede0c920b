import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { databaseFingerprint, expectEventually, fuzzService } from '@guichet/testing';
import {
  adminCredentials,
  Call,
  registerFamily,
  startAccounts,
  TestFamily,
} from './test-support/accounts-harness';

/** Change it to explore other requests; a failure names its request, and the same seed replays it. */
const SEED = 20_261_204;

describe('accounts refuses malformed requests to every endpoint of its OpenAPI document (real Kafka and FerretDB)', () => {
  let app: INestApplication;
  let base: string;
  let call: Call;
  const admin = adminCredentials();

  beforeAll(async () => {
    ({ app, base, call } = await startAccounts('accounts-fuzz', admin.env));
  });

  afterAll(() => app.close());

  it('never answers 5xx, answers every 4xx as problem+json, and a refused request changes nothing', async () => {
    const adminToken = (await call('POST', '/auth/login', { email: admin.email, password: admin.password }))
      .body.accessToken;
    const owner: TestFamily = await registerFamily(call, 'fuzz', { consents: { cafDataSharing: true } });
    const stranger: TestFamily = await registerFamily(call, 'fuzz-stranger');
    const household = owner.householdId;
    const child = await call(
      'POST',
      `/households/${household}/children`,
      { firstName: 'Lou', lastName: 'Fuzz', birthDate: '2019-01-01' },
      owner.token,
    );
    const guardian = await call(
      'POST',
      `/households/${household}/guardians`,
      { firstName: 'Camille', lastName: 'Fuzz', pays: true },
      owner.token,
    );
    expect([child.status, guardian.status]).toEqual([201, 201]);
    const db = app.get<Connection>(getConnectionToken()).db;
    if (!db) throw new Error('no database');
    // Failed logins are recorded whatever the request (that is how they are limited).
    const state = () => databaseFingerprint(db, ['login_failures']);
    await expectEventually(async () =>
      expect(await db.collection('households').countDocuments({ outboxSince: { $exists: true } })).toBe(0),
    );

    const ids: Record<string, string> = {
      id: household,
      childId: child.body.children[0].childId,
      guardianId: guardian.body.guardians[0].guardianId,
      documentId: 'no-such-document',
    };
    const document = (await call('GET', '/docs/openapi.json')).body;
    const report = await fuzzService({
      baseUrl: base,
      document,
      tokens: [owner.token, adminToken],
      state,
      seed: SEED,
      maxPerOperation: 40,
      // Erasure is fuzzed on another family's household (404 once validated), so that an odd but
      // valid request cannot erase the household the other operations work on.
      pathValues: (name, path) => (path.endsWith('/erasure') ? stranger.householdId : ids[name]),
      skip: ({ path }) => path.startsWith('/health'),
    });

    expect(report.problems).toEqual([]);
    // Most malformed requests reached validation (400), rather than stopping at the role check.
    expect(report.statuses[400]).toBeGreaterThan(report.operations * 5);
    expect(report.operations).toBeGreaterThanOrEqual(25);
  });
});
