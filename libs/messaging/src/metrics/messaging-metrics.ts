import { Admin, Kafka } from 'kafkajs';
import { type OutboxCollection, PENDING_OUTBOX_FILTER } from '../outbox/outbox-relay';
import type { MetricsRegistry } from '@guichet/platform';

/** Why a record went to the dead-letter topic: a small fixed set, safe as a label. */
export type DeadLetterReason = 'malformed' | 'unknown-type' | 'invalid-data' | 'attempts-exhausted';

/** Hooks the events server calls as it handles records (see KafkaEventsServerOptions.metrics). */
export interface EventsServerMetrics {
  handled(type: string): void;
  failed(type: string): void;
  deadLettered(reason: DeadLetterReason): void;
}

/** Counters of the events server: `guichet_events_{handled,failed,dead_lettered}_total`. */
export function eventsServerMetrics(metrics: MetricsRegistry): EventsServerMetrics {
  const handled = metrics.counter(
    'guichet_events_handled_total',
    'Events whose handler succeeded, by event type (redeliveries already handled are not counted).',
    ['type'],
  );
  const failed = metrics.counter(
    'guichet_events_failed_total',
    'Handler failures, by event type; each sends the record to a retry topic or, after the last attempt, to the dead-letter topic.',
    ['type'],
  );
  const deadLettered = metrics.counter(
    'guichet_events_dead_lettered_total',
    'Records sent to the dead-letter topic, by reason (malformed, unknown-type, invalid-data, attempts-exhausted).',
    ['reason'],
  );
  return {
    handled: (type) => handled.inc({ type }),
    failed: (type) => failed.inc({ type }),
    deadLettered: (reason) => deadLettered.inc({ reason }),
  };
}

/** `guichet_outbox_backlog_documents{collection}`: documents whose events wait for the relay. */
export function registerOutboxBacklog(
  metrics: MetricsRegistry,
  collections: readonly OutboxCollection[],
): void {
  metrics.gauge(
    'guichet_outbox_backlog_documents',
    'Documents with events not yet published, per outbox collection (read at scrape time).',
    ['collection'],
    async (gauge) => {
      const counts = await Promise.all(
        collections.map((collection) => collection.countDocuments(PENDING_OUTBOX_FILTER)),
      );
      collections.forEach((collection, i) => gauge.set({ collection: collection.collectionName }, counts[i]));
    },
  );
}

/** Consumer lag is read from Kafka at most this often, however often Prometheus scrapes. */
export const CONSUMER_LAG_CACHE_MS = 5_000;

export interface LagSample {
  group: string;
  topic: string;
  partition: number;
  lag: number;
}

/**
 * `guichet_consumer_lag_messages{group,topic,partition}`: records of the topic not yet committed by
 * the group (latest offset − committed offset; from the earliest offset when nothing is committed).
 * `topics()` names what the group reads (empty until its server has started). Read from Kafka with an
 * admin client of its own that does not retry, cached for a few seconds; when Kafka does not answer
 * the gauge is left out of the scrape and the failure counted.
 */
export function registerConsumerLag(
  metrics: MetricsRegistry,
  kafka: Kafka,
  group: string,
  topics: () => string[],
): { close(): Promise<void> } {
  let admin: Admin | undefined;
  let cached: { at: number; samples: LagSample[] } | undefined;

  const read = async (): Promise<LagSample[]> => {
    const names = topics();
    if (names.length === 0) return [];
    admin ??= kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      return await consumerLag(admin, group, names);
    } catch (error) {
      const failed = admin;
      admin = undefined;
      await failed.disconnect().catch(() => undefined);
      throw error;
    }
  };

  metrics.gauge(
    'guichet_consumer_lag_messages',
    "Records not yet handled by the service's consumer group, per topic and partition (cached 5 s).",
    ['group', 'topic', 'partition'],
    async (gauge) => {
      if (!cached || Date.now() - cached.at > CONSUMER_LAG_CACHE_MS) {
        cached = { at: Date.now(), samples: await read() };
      }
      for (const sample of cached.samples) {
        gauge.set(
          { group: sample.group, topic: sample.topic, partition: String(sample.partition) },
          sample.lag,
        );
      }
    },
  );
  return { close: async () => admin?.disconnect() };
}

/** Lag of one group on some topics: latest offsets against the group's committed ones. */
export async function consumerLag(admin: Admin, group: string, topics: string[]): Promise<LagSample[]> {
  const committed = await admin.fetchOffsets({ groupId: group, topics });
  const samples: LagSample[] = [];
  for (const { topic, partitions } of committed) {
    const latest = await admin.fetchTopicOffsets(topic);
    for (const { partition, high, low } of latest) {
      const offset = Number(partitions.find((p) => p.partition === partition)?.offset ?? -1);
      const from = offset >= 0 ? offset : Number(low);
      samples.push({ group, topic, partition, lag: Math.max(0, Number(high) - from) });
    }
  }
  return samples;
}
