import { Kafka, Partitioners, Producer } from 'kafkajs';
import type { KafkaRecord } from '@guichet/contracts';

export interface TopicRecord extends KafkaRecord {
  topic: string;
}

/**
 * An idempotent producer (acks from all in-sync replicas, one request in flight) so records sent in
 * one call land in order, once, even when the producer retries.
 */
export class RecordPublisher {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Sends the records in the given order; consecutive records of one topic go in one request. */
  async publish(records: readonly TopicRecord[]): Promise<void> {
    await this.connect();
    for (const run of consecutiveRuns(records)) {
      await this.producer.send({
        topic: run[0].topic,
        acks: -1,
        messages: run.map(({ key, value, headers }) => ({ key, value, headers })),
      });
    }
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }
}

function consecutiveRuns(records: readonly TopicRecord[]): TopicRecord[][] {
  const runs: TopicRecord[][] = [];
  for (const record of records) {
    const last = runs.at(-1);
    if (last && last[0].topic === record.topic) last.push(record);
    else runs.push([record]);
  }
  return runs;
}
