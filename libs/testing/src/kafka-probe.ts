import { Consumer, Kafka, logLevel } from 'kafkajs';
import { testInfrastructure, uniqueName } from './infrastructure';

export interface ReceivedRecord {
  topic: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Reads a topic from its beginning into memory, to check what a service really published. */
export class KafkaProbe {
  readonly records: ReceivedRecord[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly kafka = new Kafka({
      brokers: testInfrastructure.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }),
  ) {}

  async watch(...topics: string[]): Promise<this> {
    this.consumer = this.kafka.consumer({ groupId: uniqueName('probe') });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          if (value !== undefined) headers[name] = value.toString();
        }
        this.records.push({
          topic,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers,
        });
      },
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
