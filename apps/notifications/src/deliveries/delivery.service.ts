import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { NotificationDelivered, NotificationFailed } from '@guichet/contracts';
import { JobQueue } from '@guichet/jobs';
import { EventOutbox } from '@guichet/messaging';
import { EMAIL_CONCURRENCY, EmailSender } from '../channels/email-sender';
import { OutgoingMessage, PermanentDeliveryError } from '../channels/outgoing-message';
import { SmsProvider } from '../channels/sms-provider';
import { InboxRepository } from '../families/inbox.repository';
import { notificationQueue, NotificationsConfig } from '../notifications.config';
import { Channel, DeliveryDocument, DeliveryRepository } from './delivery.repository';

/** A job carries the delivery's id only: the message waits in MongoDB, not in Redis. */
export interface DeliveryJob {
  deliveryId: string;
}

export type NewDelivery = Omit<
  DeliveryDocument,
  'status' | 'attempts' | 'createdAt' | 'updatedAt' | 'reason'
>;

const CONCURRENCY: Record<Channel, number> = { email: EMAIL_CONCURRENCY, sms: 4, inbox: 8 };

/** How often, and after how long, deliveries still waiting are enqueued again (see requeueWaiting). */
const REQUEUE_EVERY_MS = 60_000;
const REQUEUE_AFTER_MS = 10 * 60_000;
/** How long an event handler waits for Redis to take a job. */
const ENQUEUE_WAIT_MS = 5_000;

/** How long a delivery that went out waits for its status to be recorded (the database away). */
const RECORD_SENT_ATTEMPTS = 10;
const RECORD_SENT_FIRST_DELAY_MS = 500;

/**
 * Runs a write until it succeeds, `attempts` times at most, waiting `firstDelayMs` and then twice as
 * long each time (10 s at most); rethrows the last failure.
 */
export async function retryWrite<T>(
  write: () => Promise<T>,
  {
    attempts,
    firstDelayMs,
    onRetry,
  }: { attempts: number; firstDelayMs: number; onRetry?: (error: Error) => void },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= attempts) throw error;
      onRetry?.(error as Error);
      const delay = Math.min(firstDelayMs * 2 ** (attempt - 1), 10_000);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Masks what could identify a person in an error text (a relay quotes the address it refuses). */
export function maskPersonalData(reason: string): string {
  const masked = reason
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '<adresse>')
    // A run of digits and separators is a phone number when it holds 9 digits or more (not "550 5.1.1").
    .replace(/\+?\d[\d .-]{7,}\d/g, (run) => (run.replace(/\D/g, '').length >= 9 ? '<numéro>' : run))
    .trim();
  return (masked || 'échec sans motif').slice(0, 500);
}

/**
 * Delivery through one BullMQ queue per channel: records each delivery once, enqueues it under its
 * own id, sends it with retries (exponential backoff, rate-limited per channel) and records the
 * outcome with its event (NotificationDelivered, or NotificationFailed after the last attempt).
 */
@Injectable()
export class DeliveryService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryService.name);
  private readonly queues: Record<Channel, JobQueue<DeliveryJob, string>>;
  private readonly rates: Record<Channel, number>;

  constructor(
    @Inject(NotificationsConfig) config: NotificationsConfig,
    private readonly deliveries: DeliveryRepository,
    private readonly outbox: EventOutbox,
    private readonly email: EmailSender,
    private readonly sms: SmsProvider,
    private readonly inbox: InboxRepository,
  ) {
    const queue = (channel: Channel) => notificationQueue<DeliveryJob>(config, channel);
    this.queues = { email: queue('email'), sms: queue('sms'), inbox: queue('inbox') };
    this.rates = {
      email: config.EMAIL_RATE_PER_SECOND,
      sms: config.SMS_RATE_PER_SECOND,
      inbox: config.INBOX_RATE_PER_SECOND,
    };
  }

  onModuleInit(): void {
    for (const channel of Object.keys(this.queues) as Channel[]) {
      const worker = this.queues[channel].process((job) => this.deliver(channel, job), CONCURRENCY[channel], {
        limiter: { max: this.rates[channel], duration: 1_000 },
      });
      worker.on('error', (error) => this.logger.warn(`${channel} worker: ${error.message}`));
      // Redis back after a restart may have lost the waiting jobs: add them again now, not in ten minutes.
      this.queues[channel].onReconnected(() => {
        this.requeueWaiting(0, channel).catch((error: Error) =>
          this.logger.warn(`requeue of waiting ${channel} deliveries failed: ${error.message}`),
        );
      });
    }
    this.requeueTimer = setInterval(() => {
      this.requeueWaiting(REQUEUE_AFTER_MS).catch((error: Error) =>
        this.logger.warn(`requeue of waiting deliveries failed: ${error.message}`),
      );
    }, REQUEUE_EVERY_MS);
    this.requeueTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.requeueTimer);
    await Promise.all(Object.values(this.queues).map((queue) => queue.close()));
  }

  private requeueTimer?: NodeJS.Timeout;

  /**
   * Enqueues again the deliveries recorded more than `olderThanMs` ago and still queued (of one
   * channel, when given). A job that still exists keeps its id, so this adds nothing; a job lost with
   * Redis's data (a Redis without persistence, a failover) is recreated, and MongoDB, not Redis,
   * decides what is still to send. Runs every minute for deliveries ten minutes old, and for every
   * waiting delivery of a channel as soon as its queue's connection to Redis is back.
   */
  async requeueWaiting(olderThanMs: number, channel?: Channel): Promise<number> {
    const waiting = await this.deliveries.queuedBefore(new Date(Date.now() - olderThanMs), 1_000, channel);
    for (const delivery of waiting) await this.addJob(delivery.channel, delivery._id);
    return waiting.length;
  }

  /**
   * Records the delivery and enqueues it. Both steps are idempotent (the record's id, the job's id),
   * so a handler retried after a crash between them completes what is missing and sends nothing twice.
   */
  async enqueue(delivery: NewDelivery): Promise<void> {
    const stored = await this.deliveries.record(delivery);
    if (stored?.status !== 'queued') return;
    await this.addJob(delivery.channel, stored._id);
  }

  /**
   * Adds a delivery's job, waiting for Redis a few seconds at most: the delivery is recorded already,
   * so an event handler need not hold its partition while Redis is away. The command stays queued in
   * the client and is sent when Redis is back; if the process stops first, requeueWaiting adds it.
   */
  private async addJob(channel: Channel, deliveryId: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const added = this.queues[channel].add(deliveryId, { deliveryId });
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ENQUEUE_WAIT_MS);
    });
    try {
      if ((await Promise.race([added, timeout])) === 'timeout') {
        added.catch(() => undefined); // settled later, when Redis answers; the sweep covers a failure
        this.logger.warn(`delivery ${deliveryId}: Redis did not answer, its job is added when it does`);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** The waiting jobs of a channel (tests and operations). */
  queue(channel: Channel): JobQueue<DeliveryJob, string> {
    return this.queues[channel];
  }

  private async deliver(channel: Channel, job: Job<DeliveryJob, string>): Promise<string> {
    const delivery = await this.deliveries.find(job.data.deliveryId);
    // Sent already (a job that stalled and ran again), cancelled by an erasure, or failed: nothing to do.
    if (!delivery || delivery.status !== 'queued') return delivery?.status ?? 'missing';
    const message = outgoing(delivery);
    if (!message) return this.fail(job, delivery, new PermanentDeliveryError('message incomplet'));
    try {
      await this.send(channel, delivery, message);
    } catch (error) {
      return this.fail(job, delivery, error);
    }
    await this.recordSent(channel, delivery);
    return 'sent';
  }

  /**
   * The message is out: a failure to record it must not fail the job, whose retry would send it a
   * second time. While the database is away (a restart) the write is tried again for about a minute.
   */
  private async recordSent(channel: Channel, delivery: DeliveryDocument): Promise<void> {
    const event = this.outbox.entry(NotificationDelivered, {
      subject: delivery.householdId,
      causationId: delivery.eventId,
      data: { notificationId: delivery.notificationId, householdId: delivery.householdId, channel },
    });
    await retryWrite(() => this.deliveries.markSent(delivery._id, [event]), {
      attempts: RECORD_SENT_ATTEMPTS,
      firstDelayMs: RECORD_SENT_FIRST_DELAY_MS,
      onRetry: (error) =>
        this.logger.warn(`delivery ${delivery._id}: sent, not recorded yet (${error.message}); trying again`),
    });
    this.outbox.published('deliveries', delivery._id);
  }

  private async send(channel: Channel, delivery: DeliveryDocument, message: OutgoingMessage): Promise<void> {
    if (channel === 'email') return this.email.send(message);
    if (channel === 'sms') return this.sms.send(message);
    await this.inbox.deliver({
      _id: delivery._id,
      householdId: delivery.householdId,
      notificationId: delivery.notificationId,
      kind: delivery.kind,
      subject: message.subject,
      text: message.text,
      createdAt: delivery.createdAt,
    });
  }

  /** Records the failed attempt; the last one (or a final refusal) fails the delivery and announces it. */
  private async fail(
    job: Job<DeliveryJob, string>,
    delivery: DeliveryDocument,
    error: unknown,
  ): Promise<never> {
    const reason = maskPersonalData(error instanceof Error ? error.message : String(error));
    const permanent = error instanceof PermanentDeliveryError;
    const last = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const final = last
      ? [
          this.outbox.entry(NotificationFailed, {
            subject: delivery.householdId,
            causationId: delivery.eventId,
            data: {
              notificationId: delivery.notificationId,
              householdId: delivery.householdId,
              channel: delivery.channel,
              reason,
            },
          }),
        ]
      : undefined;
    await this.deliveries.recordFailure(delivery._id, reason, final);
    if (final) {
      this.outbox.published('deliveries', delivery._id);
      this.logger.warn(`delivery ${delivery._id} failed for good: ${reason}`);
    }
    throw permanent ? new UnrecoverableError(reason) : error;
  }
}

function outgoing(delivery: DeliveryDocument): OutgoingMessage | undefined {
  const { recipient, subject, text, html } = delivery;
  if (!recipient || subject === undefined || text === undefined || html === undefined) return undefined;
  return { deliveryId: delivery._id, channel: delivery.channel, recipient, subject, text, html };
}
