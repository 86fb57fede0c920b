import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { EnrolmentAccepted } from '@guichet/contracts';
import { SmtpTestServer, TestTokenIssuer, expectEventually, freePort, uniqueName } from '@guichet/testing';
import {
  databaseOf,
  EventSender,
  knownContact,
  startNotifications,
} from '../test-support/notifications-harness';
import { DeliveryService } from './delivery.service';

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

  /** Loses every key, as a Redis without persistence does when it restarts. */
  async loseData(): Promise<void> {
    const client = new Redis(this.url);
    await client.flushall();
    client.disconnect();
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
    app = await startNotifications({
      REDIS_URL: redis.url,
      SMTP_URL: smtp.url,
      AUTH_JWKS_URL: issuer.jwksUrl,
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

  // Events of earlier runs may be read again by this run's consumer: only this test's mails count.
  const mailsOf = (households: string[]) => households.flatMap((id) => smtp.mailsTo(`${id}@example.org`));
  const emailQueue = () => app.get(DeliveryService).queue('email').queue;

  /** Records an accepted enrolment's mail for each household, the email queue held so that all wait. */
  async function waitingMails(count: number): Promise<string[]> {
    const households = Array.from({ length: count }, () => uniqueName('hh'));
    for (const householdId of households) {
      await knownContact(app, sender, { householdId, email: `${householdId}@example.org` });
    }
    await emailQueue().pause();
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
    await expectEventually(async () =>
      expect(await deliveries().countDocuments({ householdId: { $in: households }, channel: 'email' })).toBe(
        count,
      ),
    );
    return households;
  }
  const deliveries = () => databaseOf(app).collection('deliveries');
  const sentTo = (households: string[]) =>
    deliveries().countDocuments({ householdId: { $in: households }, channel: 'email', status: 'sent' });

  it('sends every waiting mail once after Redis restarts', async () => {
    const households = await waitingMails(8);
    expect(mailsOf(households)).toHaveLength(0);

    await redis.stop();
    await redis.start();
    await emailQueue().resume(); // the pause itself came back from the append-only file

    await expectEventually(async () => expect(await sentTo(households)).toBe(8), { timeoutMs: 60_000 });
    for (const householdId of households) {
      expect(smtp.mailsTo(`${householdId}@example.org`)).toHaveLength(1);
    }
    const [mail] = smtp.mailsTo(`${households[0]}@example.org`);
    expect(mail.subject).toBe('Inscription acceptée');
    expect(mail.text).toContain('à l’accueil de loisirs est acceptée à partir du mercredi 2 septembre 2026.');
  });

  it('sends the waiting mails once when Redis lost its data and the deliveries are enqueued again', async () => {
    const households = await waitingMails(5);
    await redis.loseData(); // the jobs and the pause are gone; the deliveries wait in MongoDB

    expect(await app.get(DeliveryService).requeueWaiting(0)).toBeGreaterThanOrEqual(5);
    await expectEventually(async () => expect(await sentTo(households)).toBe(5), { timeoutMs: 30_000 });
    for (const householdId of households) {
      expect(smtp.mailsTo(`${householdId}@example.org`)).toHaveLength(1);
    }
    // Enqueued again while sent already: nothing more goes out.
    await app.get(DeliveryService).requeueWaiting(0);
    await expectEventually(async () => expect(await emailQueue().getWaitingCount()).toBe(0));
    expect(mailsOf(households)).toHaveLength(5);
  });

  it('enqueues the waiting deliveries again as soon as a Redis that lost its data is back, without the ten-minute sweep', async () => {
    const households = await waitingMails(4);
    await redis.loseData(); // what a restart without persistence does: jobs and pause gone…
    await redis.stop(); // …and the connections dropped, then back
    await redis.start();

    await expectEventually(async () => expect(await sentTo(households)).toBe(4), { timeoutMs: 60_000 });
    expect(mailsOf(households)).toHaveLength(4);
  });

  it('records the deliveries of events that come while Redis is down, and mails them once it is back', async () => {
    const households = [uniqueName('hh'), uniqueName('hh')];
    for (const householdId of households) {
      await knownContact(app, sender, { householdId, email: `${householdId}@example.org` });
    }
    await redis.stop();
    for (const householdId of households) {
      await sender.send(EnrolmentAccepted, householdId, {
        enrolmentId: uniqueName('enr'),
        householdId,
        childId: uniqueName('child'),
        offerId: 'offer-acm-mercredi',
        service: 'acm',
      });
    }
    // The handlers do not wait for Redis: both deliveries are recorded while it is away.
    await expectEventually(
      async () =>
        expect(
          await deliveries().countDocuments({ householdId: { $in: households }, channel: 'email' }),
        ).toBe(2),
      { timeoutMs: 40_000 },
    );
    expect(mailsOf(households)).toHaveLength(0);

    await redis.start();
    await expectEventually(async () => expect(await sentTo(households)).toBe(2), { timeoutMs: 30_000 });
    for (const householdId of households) {
      expect(smtp.mailsTo(`${householdId}@example.org`)).toHaveLength(1);
    }
  });
});
