import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  expectEventually,
  ownConsumerGroup,
  testInfrastructure,
  TestTokenIssuer,
  uniqueName,
} from '@guichet/testing';

// Each service booted as a real process from its main.ts against the real local stack.
const root = join(__dirname, '..');
const services = { accounts: 3101, enrolments: 3102, tariffs: 3103, notifications: 3104 } as const;
type Service = keyof typeof services;

function environment(service: Service): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    PORT: String(services[service]),
    MONGODB_URI: `${testInfrastructure.mongoBaseUri}/${uniqueName(`boot-${service}`)}`,
    KAFKA_BROKERS: testInfrastructure.kafkaBrokers.join(','),
    REDIS_URL: testInfrastructure.redisUrl,
    // A group of this run's own, from the end of the topics: booting must not wait on earlier events.
    ...ownConsumerGroup(`boot-${service}`).env,
    // Tariffs is pointed at keys nobody serves, to see it answer 503 rather than 500 or 401.
    AUTH_JWKS_URL:
      service === 'tariffs'
        ? 'http://127.0.0.1:9/.well-known/jwks.json'
        : 'http://127.0.0.1:3101/.well-known/jwks.json',
    LOG_LEVEL: 'warn',
  };
}

// Booted from the build, as `./guichet start` and the Docker image run them.
const mainOf = (service: Service) => join(root, 'dist', 'apps', service, 'src', 'main.js');

describe('the four services boot from their build on the real stack', () => {
  const running: ChildProcess[] = [];

  beforeAll(() => {
    const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(build.status).toBe(0);
  });

  afterAll(async () => {
    await Promise.all(
      running.map(
        (child) =>
          new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    );
  });

  it.each(Object.keys(services) as Service[])(
    '%s: ready, documented, and answers errors as problem+json',
    async (service) => {
      const child = spawn(process.execPath, ['--enable-source-maps', mainOf(service)], {
        cwd: root,
        env: environment(service),
        stdio: 'ignore',
      });
      running.push(child);
      const base = `http://127.0.0.1:${services[service]}`;

      const ready = await expectEventually(
        async () => {
          const response = await fetch(`${base}/health/ready`);
          expect(response.status).toBe(200);
          return (await response.json()) as { checks: Record<string, unknown> };
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      const dependencies = service === 'notifications' ? ['kafka', 'mongodb', 'redis'] : ['kafka', 'mongodb'];
      expect(Object.keys(ready.checks).sort()).toEqual(dependencies);
      expect(await (await fetch(`${base}/health/live`)).json()).toEqual({ status: 'ok' });

      const openapi = (await (await fetch(`${base}/docs/openapi.json`)).json()) as {
        info: { title: string };
        paths: Record<string, unknown>;
      };
      expect(openapi.info.title).toBe(`Guichet ${service}`);
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready']));

      const missing = await fetch(`${base}/no-such-route`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await missing.json()).toMatchObject({ status: 404, instance: '/no-such-route' });

      // A body over the limit is the caller's problem: 413, not 500. Tariffs takes up to 25 MB
      // (populations to simulate), so 200 kB reach its router there (404 on this GET-only route).
      const oversized = await fetch(`${base}/health/live`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ padding: 'a'.repeat(200_000) }),
      });
      expect(oversized.status).toBe(service === 'tariffs' ? 404 : 413);
      expect(oversized.headers.get('content-type')).toMatch(/^application\/problem\+json/);

      if (service === 'tariffs') {
        // Protected routes: 401 without a valid token; 503 + Retry-After while the accounts keys cannot be had.
        expect((await fetch(`${base}/grids`)).status).toBe(401);
        const issuer = await new TestTokenIssuer().start(); // well-formed tokens, from keys tariffs does not know
        const token = await issuer.token({ sub: 'u1', role: 'finance' });
        await issuer.stop();
        expect((await fetch(`${base}/grids`, { headers: { authorization: 'Bearer a.b.c' } })).status).toBe(
          401,
        );
        const unverifiable = await fetch(`${base}/grids`, { headers: { authorization: `Bearer ${token}` } });
        expect(unverifiable.status).toBe(503);
        expect(unverifiable.headers.get('retry-after')).toBe('5');
      }
    },
  );

  it.each([
    ['accounts', 'MONGODB_URI', undefined],
    ['enrolments', 'KAFKA_BROKERS', 'kafka'],
    ['tariffs', 'PORT', '80a'],
    ['notifications', 'REDIS_URL', undefined],
  ] as const)('%s stops at boot when %s is wrong, naming it', (service, variable, value) => {
    const env = { ...environment(service), [variable]: value };
    const result = spawnSync(process.execPath, [mainOf(service)], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain(`[${service}] invalid configuration:`);
    expect(result.stderr).toContain(`- ${variable}:`);
  });
});
