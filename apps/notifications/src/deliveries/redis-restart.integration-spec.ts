import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { EnrolmentAccepted } from '@guichet/contracts';
import { expectEventually, freePort, TestTokenIssuer, uniqueName } from '@guichet/testing';
import {
  databaseOf,
  EventSender,
  knownContact,
  startNotifications,
} from '../test-support/notifications-harness';
import { SmtpTestServer } from '../test-support/smtp-test-server';

/** A Redis of this test only (the shared one must not be restarted), persisting to an append-only file. */
class PrivateRedis {
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'notifications-redis-'));

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--dir',
        this.dir,
      ],
      { stdio: 'ignore' },
    );
    const probe = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    await expectEventually(async () => {
      await probe.connect().catch(() => undefined);
      expect(await probe.ping()).toBe('PONG');
    });
    probe.disconnect();
  }

  /** SIGTERM: Redis writes its append-only file and exits, as in an orderly restart. */
  async stop(): Promise<void> {
    const running = this.process;
    if (!running || running.exitCode !== null) return;
    await new Promise((resolve) => {
      running.once('exit', resolve);
      running.kill('SIGTERM');
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('deliveries survive a Redis restart (private redis-server, real Kafka, FerretDB, SMTP)', () => {
  const issuer = new TestTokenIssuer();
  const smtp = new SmtpTestServer();
  const sender = new EventSender();
  let redis: PrivateRedis;
  let app: INestApplication;

  beforeAll(async () => {
    await issuer.start();
    await smtp.start();
    redis = new PrivateRedis(await freePort());
    await redis.start();
    // Two mails a second: the jobs queue up behind the rate limit, so some wait when Redis stops.
    app = await startNotifications({
      REDIS_URL: redis.url,
      SMTP_URL: smtp.url,
      AUTH_JWKS_URL: issuer.jwksUrl,
      EMAIL_RATE_PER_SECOND: '2',
      DELIVERY_BACKOFF_MS: '200',
    });
  });

  afterAll(async () => {
    await sender.disconnect();
    await app.close();
    await redis.destroy();
    await smtp.stop();
    await issuer.stop();
  });

  it('sends every waiting mail once after Redis restarts', async () => {
    const households = Array.from({ length: 8 }, () => uniqueName('hh'));
    for (const householdId of households) {
      await knownContact(app, sender, { householdId, email: `${householdId}@example.org` });
    }
    for (const householdId of households) {
      await sender.send(EnrolmentAccepted, householdId, {
        enrolmentId: uniqueName('enr'),
        householdId,
        childId: uniqueName('child'),
        offerId: 'offer-acm-mercredi',
        service: 'acm',
        startsOn: '2026-09-02',
      });
    }
    const deliveries = databaseOf(app).collection('deliveries');
    await expectEventually(async () =>
      expect(await deliveries.countDocuments({ householdId: { $in: households }, channel: 'email' })).toBe(8),
    );
    await expectEventually(() => expect(smtp.mails.length).toBeGreaterThan(0));

    await redis.stop();
    const sentBeforeRestart = smtp.mails.length;
    expect(sentBeforeRestart).toBeLessThan(8); // jobs were still waiting
    await redis.start();

    await expectEventually(
      async () => {
        for (const householdId of households) {
          expect({ householdId, mails: smtp.mailsTo(`${householdId}@example.org`).length }).toEqual({
            householdId,
            mails: 1,
          });
        }
      },
      { timeoutMs: 60_000 },
    );
    expect(smtp.mails).toHaveLength(8);
    const statuses = await deliveries
      .find({ householdId: { $in: households }, channel: 'email' })
      .project<{ status: string }>({ status: 1 })
      .toArray();
    expect(statuses.map((d) => d.status)).toEqual(Array(8).fill('sent'));
    expect(smtp.mails[0].subject).toBe('Inscription acceptée');
    expect(smtp.mails[0].text).toContain(
      'à l’accueil de loisirs est acceptée à partir du mercredi 2 septembre 2026.',
    );
  });
});
