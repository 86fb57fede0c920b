import type { INestApplication } from '@nestjs/common';
import {
  ChildAdded,
  HouseholdErased,
  HouseholdRegistered,
  HouseholdUpdated,
  QuotientFamilialChanged,
  Topics,
} from '@guichet/contracts';
import { loadConfig, startService } from '@guichet/platform';
import {
  expectEventually,
  freePort,
  KafkaProbe,
  requestJson,
  testInfrastructure,
  TestTokenIssuer,
  uniqueMongoUri,
  uniqueName,
} from '@guichet/testing';
import { AccountsConfig } from '../accounts.config';
import { accountsService } from '../accounts.service';
import { contractData } from '../test-support/accounts-harness';
import { firstDayOfNextMonth } from '../paris-calendar';

describe('the family file: registration, own household only, events (real stack)', () => {
  let accounts: INestApplication;
  let base: string;
  let events: KafkaProbe;
  const familyA = {
    email: `${uniqueName('a')}@example.fr`,
    password: 'a long family password',
    resident: true,
  };
  const familyB = {
    email: `${uniqueName('b')}@example.fr`,
    password: 'b long family password',
    resident: true,
  };
  let householdA: string;
  let householdB: string;
  let tokenA: string;

  const call = (method: string, path: string, body?: unknown, token?: string) =>
    requestJson(`${base}${path}`, method, { body, token });
  const eventsOf = (householdId: string, type: string) =>
    events.records.filter((r) => r.key === householdId && r.headers.ce_type === type);

  beforeAll(async () => {
    const port = await freePort();
    const config = loadConfig(AccountsConfig, {
      PORT: String(port),
      MONGODB_URI: uniqueMongoUri('accounts-households'),
      KAFKA_BROKERS: testInfrastructure.kafkaBrokers.join(','),
      LOG_LEVEL: 'error',
    });
    accounts = await startService(accountsService, config, port);
    base = `http://127.0.0.1:${port}`;
    events = await new KafkaProbe().watch(Topics.households, Topics.quotientFamilial);
    householdA = (await call('POST', '/families', familyA)).body.householdId;
    householdB = (await call('POST', '/families', familyB)).body.householdId;
    tokenA = (await call('POST', '/auth/login', { email: familyA.email, password: familyA.password })).body
      .accessToken;
  });

  afterAll(async () => {
    await events.stop();
    await accounts.close();
  });

  it('registers a family with its household and announces it', async () => {
    expect((await call('GET', `/households/${householdA}`, undefined, tokenA)).body).toMatchObject({
      _id: householdA,
      resident: true,
      children: [],
      version: 1,
    });
    const [registered] = await expectEventually(() => {
      const found = eventsOf(householdA, 'fr.guichet.household.registered.v1');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(contractData(HouseholdRegistered, registered)).toEqual({
      householdId: householdA,
      resident: true,
      childrenCount: 0,
    });
    expect(registered.headers.ce_sequence).toBe('1');
    expect((await call('POST', '/families', familyA)).status).toBe(409);
  });

  it('refuses bad registrations naming the fields, and creates nothing', async () => {
    const bad = await call('POST', '/families', { email: 'nope', password: 'short', resident: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'email',
      'password',
      'resident',
    ]);
  });

  it('shows a family its own household only, and nothing to strangers', async () => {
    expect((await call('GET', `/households/${householdB}`, undefined, tokenA)).status).toBe(404);
    expect((await call('PATCH', `/households/${householdB}`, { resident: false }, tokenA)).status).toBe(404);
    expect(
      (
        await call(
          'POST',
          `/households/${householdB}/children`,
          { firstName: 'X', lastName: 'Y', birthDate: '2020-01-01' },
          tokenA,
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await call(
          'POST',
          `/households/${householdB}/qf-records`,
          { value: 100, referenceMonth: '2026-10' },
          tokenA,
        )
      ).status,
    ).toBe(404);
    expect((await call('GET', `/households/${householdA}`)).status).toBe(401);
    const stranger = await new TestTokenIssuer().start(); // a token signed by another key
    const forged = await stranger.token({ sub: 'x', role: 'admin' });
    await stranger.stop();
    expect((await call('GET', `/households/${householdA}`, undefined, forged)).status).toBe(401);
  });

  it('records a change, a child and a QF, each with its event and no names in them', async () => {
    expect((await call('PATCH', `/households/${householdA}`, { resident: false }, tokenA)).body.version).toBe(
      2,
    );
    const child = await call(
      'POST',
      `/households/${householdA}/children`,
      { firstName: 'Lina', lastName: 'Martin', birthDate: '2019-05-14', pai: true },
      tokenA,
    );
    expect(child.body.children).toEqual([
      expect.objectContaining({ firstName: 'Lina', birthDate: '2019-05-14', pai: true, aeeh: false }),
    ]);
    // Names are one line of plain text: no NUL (refused in any request), no line break, no right-to-left override.
    const withNul = await call(
      'POST',
      `/households/${householdA}/children`,
      { firstName: 'Li\u0000na', lastName: 'Martin', birthDate: '2019-05-14' },
      tokenA,
    );
    expect([withNul.status, withNul.type]).toEqual([
      400,
      expect.stringContaining('application/problem+json'),
    ]);
    const disguised = await call(
      'POST',
      `/households/${householdA}/children`,
      { firstName: 'Li\tna', lastName: 'Mar\u202Etin', birthDate: '2019-05-14', school: 'École\nX' },
      tokenA,
    );
    expect(disguised.status).toBe(400);
    expect(disguised.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'firstName',
      'lastName',
      'school',
    ]);
    const qf = await call(
      'POST',
      `/households/${householdA}/qf-records`,
      { value: 742, referenceMonth: '2026-10' },
      tokenA,
    );
    expect(qf.body.qfRecords).toEqual([
      expect.objectContaining({ value: 742, source: 'declaration', appliesFrom: firstDayOfNextMonth() }),
    ]);
    expect(
      (
        await call(
          'POST',
          `/households/${householdA}/qf-records`,
          { value: 1, referenceMonth: '2026-10', appliesFrom: '2026-01-01' },
          tokenA,
        )
      ).status,
    ).toBe(403);

    await expectEventually(() => {
      expect(eventsOf(householdA, 'fr.guichet.household.updated.v1')).toHaveLength(1);
      expect(eventsOf(householdA, 'fr.guichet.child.added.v1')).toHaveLength(1);
      expect(eventsOf(householdA, 'fr.guichet.quotient-familial.changed.v1')).toHaveLength(1);
    });
    const added = eventsOf(householdA, 'fr.guichet.child.added.v1')[0];
    contractData(ChildAdded, added);
    expect(
      contractData(HouseholdUpdated, eventsOf(householdA, 'fr.guichet.household.updated.v1')[0]),
    ).toEqual({
      householdId: householdA,
      resident: false,
      childrenCount: 0,
    });
    expect(added.value).not.toContain('Lina');
    expect(added.value).not.toContain('Martin');
    expect(
      contractData(
        QuotientFamilialChanged,
        eventsOf(householdA, 'fr.guichet.quotient-familial.changed.v1')[0],
      ),
    ).toMatchObject({
      householdId: householdA,
      quotientFamilial: 742,
      source: 'declaration',
      appliesFrom: firstDayOfNextMonth(),
      referenceMonth: '2026-10-01',
    });
    expect(eventsOf(householdA, 'fr.guichet.child.added.v1')[0].headers.ce_sequence).toBe('3');
  });

  it('exports the whole file, then erases it: the account goes, the household keeps only its id, every service is told', async () => {
    const exported = await call('GET', `/households/${householdA}/export`, undefined, tokenA);
    expect(exported.body).toMatchObject({
      household: { _id: householdA },
      account: { email: familyA.email, role: 'family' },
    });
    expect((await call('GET', `/households/${householdB}/export`, undefined, tokenA)).status).toBe(404);
    expect((await call('POST', `/households/${householdB}/erasure`, undefined, tokenA)).status).toBe(404);

    expect((await call('POST', `/households/${householdA}/erasure`, undefined, tokenA)).status).toBe(204);
    const [erased] = await expectEventually(() => {
      const found = eventsOf(householdA, 'fr.guichet.household.erased.v1');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(Object.keys(contractData(HouseholdErased, erased)).sort()).toEqual(['erasedAt', 'householdId']);
    expect(
      (await call('POST', '/auth/login', { email: familyA.email, password: familyA.password })).status,
    ).toBe(401);
    const afterwards = await call('GET', `/households/${householdA}`, undefined, tokenA);
    expect(afterwards.status).toBe(404); // the access token still runs for minutes: the file is gone anyway
    // The address can open a new account.
    expect((await call('POST', '/families', familyA)).status).toBe(201);
  });
});
