import type { INestApplication } from '@nestjs/common';
import { TokenVerifier } from '@guichet/auth';
import { loadConfig, startService } from '@guichet/platform';
import { freePort, requestJson, testInfrastructure, uniqueMongoUri, uniqueName } from '@guichet/testing';
import { AccountsConfig } from '../accounts.config';
import { accountsService } from '../accounts.service';

describe('identity: login, rotating refresh tokens, keys that other services verify (real stack)', () => {
  let accounts: INestApplication;
  let accountsUrl: string;
  let otherService: TokenVerifier;
  const admin = { email: `${uniqueName('admin')}@example.fr`, password: 'correct horse battery staple' };

  beforeAll(async () => {
    const port = await freePort();
    const config = loadConfig(AccountsConfig, {
      PORT: String(port),
      MONGODB_URI: uniqueMongoUri('accounts'),
      KAFKA_BROKERS: testInfrastructure.kafkaBrokers.join(','),
      LOG_LEVEL: 'error',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
    });
    accounts = await startService(accountsService, config, port);
    accountsUrl = `http://127.0.0.1:${port}`;
    // What every other service does: verify with the published keys, never calling accounts per request.
    otherService = new TokenVerifier({
      jwksUrl: `${accountsUrl}/.well-known/jwks.json`,
      issuer: 'guichet-accounts',
      audience: 'guichet',
    });
  });

  afterAll(() => accounts.close());

  const call = (base: string, method: string, path: string, body?: unknown, token?: string) =>
    requestJson(`${base}${path}`, method, { body, token });

  it('publishes its public keys and logs the seeded administrator in', async () => {
    const jwks = await call(accountsUrl, 'GET', '/.well-known/jwks.json');
    expect(jwks.body.keys).toEqual([
      expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' }),
    ]);
    expect(jwks.body.keys[0].d).toBeUndefined(); // never the private part
    const login = await call(accountsUrl, 'POST', '/auth/login', admin);
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const me = await call(accountsUrl, 'GET', '/auth/me', undefined, login.body.accessToken);
    expect(me.body).toMatchObject({ role: 'admin' });
  });

  it('lets the administrator create a finance account whose token another service accepts', async () => {
    const adminToken = (await call(accountsUrl, 'POST', '/auth/login', admin)).body.accessToken;
    const finance = {
      email: `${uniqueName('finance')}@example.fr`,
      password: 'a long finance password',
      role: 'finance',
      scopes: [],
    };
    expect((await call(accountsUrl, 'POST', '/staff-users', finance, adminToken)).status).toBe(201);
    expect((await call(accountsUrl, 'POST', '/staff-users', finance, adminToken)).status).toBe(409);
    const login = await call(accountsUrl, 'POST', '/auth/login', {
      email: finance.email,
      password: finance.password,
    });
    expect(login.status).toBe(200);
    const financeToken = login.body.accessToken;
    expect(
      (await call(accountsUrl, 'POST', '/staff-users', { ...finance, email: 'x@example.fr' }, financeToken))
        .status,
    ).toBe(403);
    await expect(otherService.verify(financeToken)).resolves.toMatchObject({ role: 'finance', scopes: [] });
    await expect(otherService.verify(`${financeToken.slice(0, -4)}AAAA`)).rejects.toThrow();
  });

  it('gives agents scopes of services and sites, and refuses a scope it cannot read', async () => {
    const adminToken = (await call(accountsUrl, 'POST', '/auth/login', admin)).body.accessToken;
    const agent = {
      email: `${uniqueName('agent')}@example.fr`,
      password: 'a long agent password',
      role: 'agent',
      scopes: ['service:cantine', 'site:ecole-jaures'],
    };
    const bad = await call(
      accountsUrl,
      'POST',
      '/staff-users',
      { ...agent, scopes: ['service:piscine', 'site:', 'everything'] },
      adminToken,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'scopes' })]);
    expect((await call(accountsUrl, 'POST', '/staff-users', agent, adminToken)).status).toBe(201);
    const login = await call(accountsUrl, 'POST', '/auth/login', {
      email: agent.email,
      password: agent.password,
    });
    await expect(otherService.verify(login.body.accessToken)).resolves.toMatchObject({
      role: 'agent',
      scopes: ['service:cantine', 'site:ecole-jaures'],
    });
    const everything = { ...agent, email: `${uniqueName('agent')}@example.fr`, scopes: ['*'] };
    expect((await call(accountsUrl, 'POST', '/staff-users', everything, adminToken)).status).toBe(201);
  });

  it('rotates refresh tokens, and a replayed one ends the whole session', async () => {
    const first = (await call(accountsUrl, 'POST', '/auth/login', admin)).body;
    const second = await call(accountsUrl, 'POST', '/auth/refresh', { refreshToken: first.refreshToken });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    const replay = await call(accountsUrl, 'POST', '/auth/refresh', { refreshToken: first.refreshToken });
    expect(replay.status).toBe(401);
    // The thief's replay revoked the family: the legitimate newer token is dead too.
    expect(
      (await call(accountsUrl, 'POST', '/auth/refresh', { refreshToken: second.body.refreshToken })).status,
    ).toBe(401);
  });

  it('ends a session at logout', async () => {
    const session = (await call(accountsUrl, 'POST', '/auth/login', admin)).body;
    expect(
      (await call(accountsUrl, 'POST', '/auth/logout', { refreshToken: session.refreshToken })).status,
    ).toBe(204);
    expect(
      (await call(accountsUrl, 'POST', '/auth/refresh', { refreshToken: session.refreshToken })).status,
    ).toBe(401);
  });

  it('refuses bad input with the field named, and slows down password guessing', async () => {
    const bad = await call(accountsUrl, 'POST', '/auth/login', { email: 'not-an-email', password: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'password']);
    const victim = { email: `${uniqueName('victim')}@example.fr`, password: 'wrong' };
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) answers.push((await call(accountsUrl, 'POST', '/auth/login', victim)).status);
    expect(answers).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('does not let parallel guesses slip past the limit', async () => {
    const victim = { email: `${uniqueName('parallel')}@example.fr`, password: 'wrong' };
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => call(accountsUrl, 'POST', '/auth/login', victim)),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(7);
  });

  it('leaves no working session after two refreshes race with one token', async () => {
    for (let round = 0; round < 5; round++) {
      const session = (await call(accountsUrl, 'POST', '/auth/login', admin)).body;
      const both = await Promise.all([
        call(accountsUrl, 'POST', '/auth/refresh', { refreshToken: session.refreshToken }),
        call(accountsUrl, 'POST', '/auth/refresh', { refreshToken: session.refreshToken }),
      ]);
      expect(both.filter((answer) => answer.status === 200).length).toBeLessThanOrEqual(1);
      for (const answer of both.filter((a) => a.status === 200)) {
        expect(
          (await call(accountsUrl, 'POST', '/auth/refresh', { refreshToken: answer.body.refreshToken }))
            .status,
        ).toBe(401);
      }
    }
  });
});
