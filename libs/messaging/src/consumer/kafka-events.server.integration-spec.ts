import { Controller, INestApplication, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InjectConnection } from '@nestjs/mongoose';
import mongoose, { Connection } from 'mongoose';
import {
  createEnvelope,
  deadLetterTopic,
  HouseholdRegistered,
  HouseholdRegisteredV1,
  toKafkaRecord,
  Topics,
} from '@guichet/contracts';
import {
  DatabaseModule,
  HealthModule,
  MetricsModule,
  MetricsRegistry,
  ProblemDetailsFilter,
} from '@guichet/platform';
import {
  expectEventually,
  KafkaProbe,
  metricSample,
  testInfrastructure,
  uniqueMongoUri,
  uniqueName,
} from '@guichet/testing';
import { connectEventsServer, EventOutbox, MessagingModule } from '../messaging.module';
import { createKafkaClient } from '../kafka/kafka-client';
import { RecordPublisher } from '../kafka/record-publisher';
import { newDocumentWithEvents } from '../outbox/outbox-entry';
import { RetryHeaders } from './headers';
import { KafkaEventContext } from './kafka-event.context';

const layout = { partitions: 3, replicationFactor: 1 };

/** The producing side: a service that registers households and announces them through its outbox. */
@Injectable()
class HouseholdRegistry {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly outbox: EventOutbox,
  ) {}

  async register(householdId: string, childrenCount: number): Promise<void> {
    const event = this.outbox.entry(HouseholdRegistered, {
      subject: householdId,
      sequence: 1,
      data: { householdId, resident: true, childrenCount },
    });
    await this.connection
      .collection('households')
      .insertOne(newDocumentWithEvents({ householdId, childrenCount, version: 1 }, [event]));
    this.outbox.published();
  }
}

/** The consuming side: counts how many times each household's event was applied. */
@Controller()
class HouseholdProjection {
  /**
   * The topic keeps the records of earlier runs, which a new consumer group reads again: only this
   * run's records fail or linger on purpose, the others are applied at once.
   */
  static readonly run = uniqueName('run');

  static slowStarted = false;

  constructor(@InjectConnection() private readonly connection: Connection) {}

  @EventPattern(HouseholdRegistered.type)
  async onRegistered(
    @Payload() event: HouseholdRegisteredV1,
    @Ctx() context: KafkaEventContext,
  ): Promise<void> {
    const id = event.householdId;
    const mine = (kind: string) => id.startsWith(`${HouseholdProjection.run}-${kind}`);
    if (mine('poison')) throw new Error(`cannot handle ${id}`);
    if (mine('flaky') && context.position.attempt === 1) throw new Error('first attempt fails');
    if (mine('slow')) {
      HouseholdProjection.slowStarted = true;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    }
    await this.connection
      .collection<{ _id: string; times: number }>('applied')
      .updateOne({ _id: id }, { $inc: { times: 1 } }, { upsert: true });
  }
}

async function startService(
  service: string,
  mongoUri: string,
  parts: { producer?: boolean; consumer?: boolean },
) {
  @Module({
    imports: [
      HealthModule,
      MetricsModule.forRoot({ service }),
      DatabaseModule.forRoot(mongoUri),
      MessagingModule.forRoot({
        service,
        brokers: testInfrastructure.kafkaBrokers,
        layout,
        outboxCollections: parts.producer ? ['households'] : [],
        relay: { pollIntervalMs: 200 },
        retryDelaysMs: [200, 400],
        // A group of its own that starts at the end of the shared topics, rather than reading every
        // event earlier tests published there.
        fromBeginning: false,
      }),
    ],
    controllers: parts.consumer ? [HouseholdProjection] : [],
    providers: parts.producer ? [HouseholdRegistry] : [],
  })
  class TestServiceModule {}

  const app = await NestFactory.create(TestServiceModule, { logger: ['error'] });
  app.useGlobalFilters(new ProblemDetailsFilter());
  if (parts.consumer) connectEventsServer(app);
  await app.startAllMicroservices();
  await app.init();
  return app;
}

describe('Kafka events between two services (real Kafka and FerretDB)', () => {
  const consumerGroup = uniqueName('test-enrolments');
  const consumerDb = uniqueMongoUri('consumer');
  let producer: INestApplication;
  let consumer: INestApplication;
  let rawPublisher: RecordPublisher;
  let deadLetters: KafkaProbe;

  const timesApplied = async (id: string): Promise<number> => {
    const connection = consumer.get<Connection>('DatabaseConnection');
    const doc = await connection.collection<{ _id: string; times: number }>('applied').findOne({ _id: id });
    return doc?.times ?? 0;
  };

  const publishRaw = async (data: object, id?: string) => {
    const envelope = createEnvelope('guichet/test', { type: HouseholdRegistered.type, subject: 'raw', data });
    if (id) envelope.id = id;
    await rawPublisher.publish([{ topic: Topics.households, ...toKafkaRecord(envelope) }]);
    return envelope;
  };

  beforeAll(async () => {
    producer = await startService(uniqueName('test-accounts'), uniqueMongoUri('producer'), {
      producer: true,
    });
    consumer = await startService(consumerGroup, consumerDb, { consumer: true });
    rawPublisher = new RecordPublisher(
      createKafkaClient({ clientId: 'raw', brokers: testInfrastructure.kafkaBrokers }),
    );
    deadLetters = await new KafkaProbe().watch(deadLetterTopic(consumerGroup));
    // Starting at the end means starting once the group has its partitions: wait for that.
    const admin = createKafkaClient({
      clientId: 'group-watch',
      brokers: testInfrastructure.kafkaBrokers,
    }).admin();
    await admin.connect();
    try {
      await expectEventually(
        async () => {
          const [group] = (await admin.describeGroups([consumerGroup])).groups;
          expect(group.state).toBe('Stable');
          expect(group.members.length).toBeGreaterThan(0);
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
    } finally {
      await admin.disconnect();
    }
  });

  afterAll(async () => {
    await deadLetters.stop();
    await rawPublisher.disconnect();
    await producer.close();
    await consumer.close();
  });

  it('carries a state change of one service to a handler of another', async () => {
    const id = uniqueName('hh');
    await producer.get(HouseholdRegistry).register(id, 2);
    await expectEventually(async () => expect(await timesApplied(id)).toBe(1));
  });

  it('applies an event delivered twice only once', async () => {
    const id = uniqueName('twice');
    const first = await publishRaw({ householdId: id, resident: true, childrenCount: 1 });
    await publishRaw({ householdId: id, resident: true, childrenCount: 1 }, first.id);
    const after = uniqueName('after-twice');
    await publishRaw({ householdId: after, resident: true, childrenCount: 1 });
    await expectEventually(async () => expect(await timesApplied(after)).toBe(1));
    expect(await timesApplied(id)).toBe(1);
  });

  it('dead-letters an invalid event with the reason, and the next events go through', async () => {
    const bad = await publishRaw({ householdId: 'x', resident: 'yes', childrenCount: 1, lastName: 'Martin' });
    const next = uniqueName('after-invalid');
    await publishRaw({ householdId: next, resident: true, childrenCount: 0 });
    await expectEventually(async () => expect(await timesApplied(next)).toBe(1));
    const letter = await expectEventually(() => {
      const found = deadLetters.records.find((r) => r.headers.ce_id === bad.id);
      expect(found).toBeDefined();
      return found;
    });
    const reason = letter?.headers[RetryHeaders.deadLetterReason];
    expect(reason).toMatch(/^invalid data: /);
    expect(reason).toContain('resident must be a boolean value');
    expect(reason).toContain('property lastName should not exist');
    expect(letter?.headers[RetryHeaders.originalTopic]).toBe(Topics.households);
  });

  it('retries a failing handler without blocking the partition, then dead-letters it', async () => {
    const poison = uniqueName(`${HouseholdProjection.run}-poison`);
    const flaky = uniqueName(`${HouseholdProjection.run}-flaky`);
    const poisonEvent = await publishRaw({ householdId: poison, resident: true, childrenCount: 1 });
    await publishRaw({ householdId: flaky, resident: true, childrenCount: 1 });
    const behind = uniqueName('behind-poison');
    await publishRaw({ householdId: behind, resident: true, childrenCount: 1 });

    await expectEventually(async () => expect(await timesApplied(behind)).toBe(1));
    await expectEventually(async () => expect(await timesApplied(flaky)).toBe(1));
    const letter = await expectEventually(() => {
      const found = deadLetters.records.find((r) => r.headers.ce_id === poisonEvent.id);
      expect(found).toBeDefined();
      return found;
    });
    expect(letter?.headers[RetryHeaders.deadLetterReason]).toBe(
      `failed after 3 attempts: Error: cannot handle ${poison}`,
    );
    expect(await timesApplied(poison)).toBe(0);
  });

  it('counts handled, failed and dead-lettered events, and reports its lag, in its metrics', async () => {
    const text = await consumer.get(MetricsRegistry).metrics();
    const handled = `guichet_events_handled_total{type="${HouseholdRegistered.type}"`;
    // The tests above: handled events, the poison's 3 failures and the flaky one's first, 2 dead letters.
    expect(metricSample(text, handled)).toBeGreaterThanOrEqual(5);
    expect(
      metricSample(text, `guichet_events_failed_total{type="${HouseholdRegistered.type}"`),
    ).toBeGreaterThanOrEqual(4);
    // The group reads the shared topic from its beginning: earlier runs' invalid events count too, so
    // the count is checked against the group's own dead-letter topic.
    const invalid = deadLetters.records.filter((r) =>
      r.headers[RetryHeaders.deadLetterReason]?.startsWith('invalid data:'),
    );
    expect(invalid.length).toBeGreaterThanOrEqual(1);
    expect(metricSample(text, 'guichet_events_dead_lettered_total{', 'reason="invalid-data"')).toBe(
      invalid.length,
    );
    expect(metricSample(text, 'guichet_events_dead_lettered_total{', 'reason="attempts-exhausted"')).toBe(1);
    expect(
      metricSample(
        text,
        'guichet_consumer_lag_messages{',
        `group="${consumerGroup}"`,
        `topic="${Topics.households}"`,
      ),
    ).toBeGreaterThanOrEqual(0);
  });

  it('finishes the handler in flight when the service shuts down, and a restart does not apply it again', async () => {
    const slow = uniqueName(`${HouseholdProjection.run}-slow`);
    HouseholdProjection.slowStarted = false;
    await publishRaw({ householdId: slow, resident: true, childrenCount: 1 });
    await expectEventually(() => expect(HouseholdProjection.slowStarted).toBe(true));
    await consumer.close(); // waits for the handler in flight
    const direct = await mongoose.createConnection(consumerDb).asPromise();
    try {
      const applied = await direct
        .collection<{ _id: string; times: number }>('applied')
        .findOne({ _id: slow });
      expect(applied?.times).toBe(1); // finished before the close returned
    } finally {
      await direct.close();
    }
    consumer = await startService(consumerGroup, consumerDb, { consumer: true });
    const marker = uniqueName('after-restart');
    await publishRaw({ householdId: marker, resident: true, childrenCount: 1 });
    await expectEventually(async () => expect(await timesApplied(marker)).toBe(1));
    expect(await timesApplied(slow)).toBe(1);
  });
});
