import { Kafka, Partitioners, Producer } from 'kafkajs';
import type { KafkaRecord } from '@guichet/contracts';

export interface TopicRecord extends KafkaRecord {
  topic: string;
}

/**
 * An idempotent producer (acks from all in-sync replicas, one request in flight) so records sent in
 * one call land in order, once, even when the producer retries.
 *
 * After a failed send the producer is thrown away: KafkaJS rolls back its sequence numbers on an
 * error, so reusing the same producer id could make the broker drop the next batch as a duplicate, or
 * refuse every later one as out of sequence. A new producer gets a new id.
 */
export class RecordPublisher {
  private producer: Producer;
  private connected?: Promise<void>;

  constructor(private readonly kafka: Kafka) {
    this.producer = this.createProducer();
  }

  /** Sends the records in the given order; consecutive records of one topic go in one request. */
  async publish(records: readonly TopicRecord[]): Promise<void> {
    await this.connect();
    try {
      for (const run of consecutiveRuns(records)) {
        await this.producer.send({
          topic: run[0].topic,
          acks: -1,
          messages: run.map(({ key, value, headers }) => ({ key, value, headers })),
        });
      }
    } catch (error) {
      await this.replaceProducer();
      throw error;
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

  private createProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  private async replaceProducer(): Promise<void> {
    const failed = this.producer;
    this.producer = this.createProducer();
    this.connected = undefined;
    await failed.disconnect().catch(() => undefined);
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
