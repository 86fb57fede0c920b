import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { Consumer, EachMessagePayload, Kafka, KafkaMessage } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import {
  deadLetterTopic,
  EventCatalog,
  EventEnvelope,
  fromKafkaRecord,
  retryTopic,
  validatePayload,
} from '@guichet/contracts';
import { CONSUMER_TIMEOUTS } from '../kafka/kafka-client';
import { RecordPublisher } from '../kafka/record-publisher';
import type { DeadLetterReason, EventsServerMetrics } from '../metrics/messaging-metrics';
import { provisionTopics, TopicLayout } from '../kafka/topic-provisioner';
import { RetryHeaders, readHeader, stringHeaders } from './headers';
import { KafkaEventContext } from './kafka-event.context';
import { ProcessedEvents } from './processed-events';

export interface KafkaEventsServerOptions {
  kafka: Kafka;
  /** The consumer group: one per service. It also names the service's retry and dead-letter topics. */
  group: string;
  processed: ProcessedEvents;
  layout: TopicLayout;
  /** Wait before each retry; one more attempt than delays, then the dead-letter topic. */
  retryDelaysMs?: number[];
  /** How many partitions one instance handles at a time. */
  partitionsConsumedConcurrently?: number;
  /** How long processed event ids are remembered (redeliveries older than that are not expected). */
  processedRetentionMs?: number;
  /** Counts handled, failed and dead-lettered records (see eventsServerMetrics). */
  metrics?: EventsServerMetrics;
  /**
   * Where a group with no committed offsets starts: at the beginning of the topics (a service's
   * first start must see every event; the default), or at their end (a throwaway group in a test).
   */
  fromBeginning?: boolean;
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 10_000, 60_000];
const DAY_MS = 24 * 60 * 60 * 1_000;
const CONSUMER_RESTART_DELAY_MS = 5_000;

/**
 * Thrown out of eachMessage so that KafkaJS retries the same record in place (and restarts the
 * consumer if that keeps failing). KafkaJS gives up for good on TypeError and similar names, so the
 * real error travels as `reason`, not as the thrown error itself.
 */
class RetryInPlace extends Error {
  readonly retriable = true;
  constructor(readonly reason: unknown) {
    super(`retrying in place: ${describe(reason)}`);
    this.name = 'RetryInPlace';
  }
}

/**
 * The service's own database is down: not the record's fault, so the record is retried in place
 * until it comes back, rather than sent towards the dead-letter topic.
 */
function isOwnDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (/^Mongo(ServerSelection|Network|NetworkTimeout|NotConnected|TopologyClosed)Error$/.test(error.name))
    return true;
  return /buffering timed out/.test(error.message);
}

/** A consumer of this server: the main one, or the one of a retry level. */
interface ConsumerSpec {
  groupId: string;
  topics: string[];
  consumer?: Consumer;
}

/**
 * A Nest transport that feeds Kafka events to `@EventPattern(<event type>)` handlers.
 *
 * For each record: the envelope and its data are validated against the contract (invalid → the
 * dead-letter topic with the reason); an event this group already handled is skipped; a failing
 * handler sends the record to the group's retry topic of its attempt, read by a consumer of its own
 * that waits until the record is due, and after the last attempt to the dead-letter topic: a bad
 * record never blocks its partition, and a waiting retry never blocks the main topics. When the
 * service's own database is down, the record is retried in place until it comes back.
 *
 * The processed-events check is a fast skip, not a transaction: a handler whose effect is not
 * naturally idempotent writes the event id or sequence in the same single-document write as its effect.
 */
export class KafkaEventsServer extends Server implements CustomTransportStrategy {
  private readonly publisher: RecordPublisher;
  private readonly retryDelaysMs: number[];
  private readonly deadLetterTopic: string;
  private readonly consumers: ConsumerSpec[] = [];
  private readonly retryTopics: Set<string>;
  private purgeTimer?: NodeJS.Timeout;
  private closing = false;

  constructor(private readonly options: KafkaEventsServerOptions) {
    super();
    this.publisher = new RecordPublisher(options.kafka);
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.deadLetterTopic = deadLetterTopic(options.group);
    this.retryTopics = new Set(this.retryDelaysMs.map((_, i) => retryTopic(options.group, i + 1)));
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** Lets in-flight handlers finish (their records are committed) or leaves them for redelivery. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.purgeTimer);
    await Promise.all(this.consumers.map((spec) => spec.consumer?.disconnect()));
    await this.publisher.disconnect();
  }

  on(): never {
    throw new Error('KafkaEventsServer has no events to listen to');
  }

  unwrap<T>(): T {
    return this.consumers.map((spec) => spec.consumer) as T;
  }

  /** The topics that carry the events this service's handlers name. */
  subscribedTopics(): string[] {
    const topics = [...this.messageHandlers.keys()].map((pattern) => {
      const definition = EventCatalog.get(pattern);
      if (!definition) throw new Error(`@EventPattern('${pattern}') names no event of the catalogue`);
      return definition.topic;
    });
    return [...new Set(topics)];
  }

  private async start(): Promise<void> {
    const topics = this.subscribedTopics();
    if (topics.length === 0) return;
    const { kafka, group, layout, processed } = this.options;
    const retryTopics = [...this.retryTopics];
    await provisionTopics(kafka, [...topics, ...retryTopics, this.deadLetterTopic], layout);
    await processed.ensureIndexes();
    this.consumers.push({ groupId: group, topics });
    retryTopics.forEach((topic, i) =>
      this.consumers.push({ groupId: `${group}.retry-${i + 1}`, topics: [topic] }),
    );
    await Promise.all(this.consumers.map((spec) => this.runConsumer(spec)));
    const retention = this.options.processedRetentionMs ?? 30 * DAY_MS;
    this.purgeTimer = setInterval(() => {
      processed.purgeOlderThan(new Date(Date.now() - retention)).catch((error: unknown) => {
        this.logger.warn(`could not purge processed events: ${(error as Error).message}`);
      });
    }, DAY_MS / 24);
    this.purgeTimer.unref();
  }

  private async runConsumer(spec: ConsumerSpec): Promise<void> {
    const consumer = this.options.kafka.consumer({
      groupId: spec.groupId,
      allowAutoTopicCreation: false,
      ...CONSUMER_TIMEOUTS,
    });
    spec.consumer = consumer;
    // KafkaJS restarts a crashed consumer only for some errors; a consumer that stays dead would
    // silently stop the service's reactions, so it is started again here.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.closing) return;
      this.logger.error(`consumer ${spec.groupId} crashed (${payload.error.message}); starting it again`);
      setTimeout(() => {
        if (!this.closing)
          this.runConsumer(spec).catch((error: unknown) =>
            this.logger.error(`restart failed: ${describe(error)}`),
          );
      }, CONSUMER_RESTART_DELAY_MS).unref();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: spec.topics, fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      partitionsConsumedConcurrently:
        spec.groupId === this.options.group ? (this.options.partitionsConsumedConcurrently ?? 4) : 1,
      eachMessage: async (payload) => {
        try {
          await this.handleRecord(payload);
        } catch (error) {
          throw error instanceof RetryInPlace ? error : new RetryInPlace(error);
        }
      },
    });
  }

  private async handleRecord({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const retried = this.retryTopics.has(topic);
    const attempt = retried ? Number(readHeader(message.headers, RetryHeaders.attempt) ?? 2) : 1;
    const origin = retried
      ? {
          topic: readHeader(message.headers, RetryHeaders.originalTopic) ?? topic,
          partition: Number(readHeader(message.headers, RetryHeaders.originalPartition) ?? partition),
          offset: readHeader(message.headers, RetryHeaders.originalOffset) ?? message.offset,
        }
      : { topic, partition, offset: message.offset };
    if (retried)
      await this.waitUntil(Number(readHeader(message.headers, RetryHeaders.notBefore) ?? 0), heartbeat);

    let envelope: EventEnvelope;
    try {
      envelope = fromKafkaRecord(message);
    } catch (error) {
      return this.deadLetter(message, origin, `malformed record: ${(error as Error).message}`, 'malformed');
    }
    const definition = EventCatalog.get(envelope.type);
    if (!definition)
      return this.deadLetter(message, origin, `unknown event type ${envelope.type}`, 'unknown-type');
    const handler = this.getHandlerByPattern(envelope.type);
    if (!handler) return; // an event of a topic we read, that this service has no use for
    const validation = validatePayload(definition, envelope.data);
    if (!validation.ok) {
      const fields = validation.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      return this.deadLetter(message, origin, `invalid data: ${fields}`, 'invalid-data');
    }
    if (await this.options.processed.has(this.options.group, envelope.id)) return;

    try {
      const context = new KafkaEventContext([envelope, { ...origin, attempt }]);
      const result = await handler(validation.value, context);
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    } catch (error) {
      if (isOwnDatabaseUnavailable(error) || this.closing) throw new RetryInPlace(error);
      const reason = describe(error);
      this.options.metrics?.failed(envelope.type);
      this.logger.warn(`handler for ${envelope.type} ${envelope.id} failed (attempt ${attempt}): ${reason}`);
      if (attempt <= this.retryDelaysMs.length) return this.retry(message, origin, attempt, reason);
      return this.deadLetter(
        message,
        origin,
        `failed after ${attempt} attempts: ${reason}`,
        'attempts-exhausted',
      );
    }
    await this.rememberWithRetries(envelope);
    this.options.metrics?.handled(envelope.type);
  }

  /** A failure to remember after the effect would run the handler again on redelivery: try hard. */
  private async rememberWithRetries(envelope: EventEnvelope): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.options.processed.remember(this.options.group, envelope.id, envelope.type);
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  private async retry(message: KafkaMessage, origin: Origin, attempt: number, reason: string): Promise<void> {
    const notBefore = Date.now() + this.retryDelaysMs[attempt - 1];
    await this.forward(retryTopic(this.options.group, attempt), message, origin, {
      [RetryHeaders.attempt]: String(attempt + 1),
      [RetryHeaders.notBefore]: String(notBefore),
      [RetryHeaders.error]: reason,
    });
  }

  private async deadLetter(
    message: KafkaMessage,
    origin: Origin,
    reason: string,
    kind: DeadLetterReason,
  ): Promise<void> {
    this.options.metrics?.deadLettered(kind);
    this.logger.error(`dead-lettering ${origin.topic}[${origin.partition}]@${origin.offset}: ${reason}`);
    await this.forward(this.deadLetterTopic, message, origin, { [RetryHeaders.deadLetterReason]: reason });
  }

  private async forward(
    target: string,
    message: KafkaMessage,
    origin: Origin,
    extra: Record<string, string>,
  ) {
    await this.publisher.publish([
      {
        topic: target,
        key: message.key?.toString() ?? '',
        value: message.value?.toString() ?? '',
        headers: {
          ...stringHeaders(message.headers),
          [RetryHeaders.originalTopic]: origin.topic,
          [RetryHeaders.originalPartition]: String(origin.partition),
          [RetryHeaders.originalOffset]: origin.offset,
          ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v.slice(0, 1_000)])),
        },
      },
    ]);
  }

  /** Waits for a retry's time while keeping the group membership alive. */
  private async waitUntil(time: number, heartbeat: () => Promise<void>): Promise<void> {
    for (let remaining = time - Date.now(); remaining > 0; remaining = time - Date.now()) {
      if (this.closing) throw new Error('shutting down before the retry time');
      await new Promise((resolve) => setTimeout(resolve, Math.min(remaining, 1_000)));
      await heartbeat();
    }
  }
}

interface Origin {
  topic: string;
  partition: number;
  offset: string;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
