import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Kafka } from 'kafkajs';
import mongoose, { Connection } from 'mongoose';
import { HouseholdRegistered, HouseholdUpdated, Topics } from '@guichet/contracts';
import { expectEventually, KafkaProbe, testInfrastructure, uniqueMongoUri } from '@guichet/testing';
import { createKafkaClient } from '../kafka/kafka-client';
import { RecordPublisher } from '../kafka/record-publisher';
import { provisionTopics } from '../kafka/topic-provisioner';
import { newDocumentWithEvents, outboxEntry, withEvents } from './outbox-entry';
import { OutboxCollection, OutboxDocument, OutboxRelay } from './outbox-relay';

const SOURCE = 'guichet/test';
const registered = (id: string, childrenCount = 1) =>
  outboxEntry(SOURCE, HouseholdRegistered, {
    subject: id,
    sequence: 1,
    data: { householdId: id, resident: true, childrenCount },
  });
const updated = (id: string, sequence: number, childrenCount: number) =>
  outboxEntry(SOURCE, HouseholdUpdated, {
    subject: id,
    sequence,
    data: { householdId: id, resident: true, childrenCount },
  });

describe('outbox and relay (real FerretDB and Kafka)', () => {
  let kafka: Kafka;
  let connection: Connection;
  let households: OutboxCollection;
  let publisher: RecordPublisher;
  let probe: KafkaProbe;
  const mongoUri = uniqueMongoUri('outbox');

  beforeAll(async () => {
    kafka = createKafkaClient({ clientId: 'outbox-test', brokers: testInfrastructure.kafkaBrokers });
    await provisionTopics(kafka, Object.values(Topics), { partitions: 3, replicationFactor: 1 });
    connection = await mongoose.createConnection(mongoUri).asPromise();
    households = connection.collection<OutboxDocument>('households');
    await OutboxRelay.ensureIndexes(households);
    publisher = new RecordPublisher(kafka);
    probe = await new KafkaProbe().watch(Topics.households);
  });

  afterAll(async () => {
    await probe.stop();
    await publisher.disconnect();
    await connection.dropDatabase();
    await connection.close();
  });

  const publishedFor = (id: string) => probe.records.filter((record) => record.key === id);

  it('publishes an aggregate’s events once, in the order written, keyed by the aggregate, then forgets them', async () => {
    const id = `hh-order-${Date.now()}`;
    await households.insertOne(
      newDocumentWithEvents({ _id: id, version: 1, childrenCount: 1 }, [registered(id)]),
    );
    await households.updateOne(
      { _id: id, version: 1 },
      withEvents({ $set: { version: 3, childrenCount: 3 } }, [updated(id, 2, 2), updated(id, 3, 3)]),
    );

    const relay = new OutboxRelay([households], publisher);
    expect(await relay.drain()).toBe(3);

    const records = await expectEventually(() => {
      const found = publishedFor(id);
      expect(found).toHaveLength(3);
      return found;
    });
    expect(records.map((r) => r.headers.ce_sequence)).toEqual(['1', '2', '3']);
    expect(records.map((r) => JSON.parse(r.value ?? '{}').childrenCount)).toEqual([1, 2, 3]);
    const stored = await households.findOne({ _id: id });
    expect(stored?.outbox ?? []).toEqual([]);
    expect(stored?.outboxPending).toBeUndefined();
    expect(stored?.outboxSince).toBeUndefined();
    expect(stored?.outboxLease).toBeUndefined();
    expect(await relay.drain()).toBe(0);
  });

  it('flags pending documents written before the flag existed, so their events still go out', async () => {
    const id = `hh-before-flag-${Date.now()}`;
    const { outboxPending, ...older } = newDocumentWithEvents({ _id: id, version: 1 }, [registered(id)]);
    expect(outboxPending).toBe(true);
    await households.insertOne(older);

    await OutboxRelay.ensureIndexes(households);
    expect((await households.findOne({ _id: id }))?.outboxPending).toBe(true);
    expect(await new OutboxRelay([households], publisher).drain()).toBe(1);
    await expectEventually(() => expect(publishedFor(id)).toHaveLength(1));
  });

  it('never publishes the events of a write that did not happen', async () => {
    const id = `hh-stale-${Date.now()}`;
    await households.insertOne(newDocumentWithEvents({ _id: id, version: 2, childrenCount: 1 }, []));
    // A writer holding version 1 loses the race: its update matches nothing, so its event is never stored.
    const result = await households.updateOne(
      { _id: id, version: 1 },
      withEvents({ $set: { version: 2, childrenCount: 5 } }, [updated(id, 2, 5)]),
    );
    expect(result.matchedCount).toBe(0);

    const relay = new OutboxRelay([households], publisher);
    await relay.drain();
    const marker = `hh-marker-${Date.now()}`;
    await households.insertOne(newDocumentWithEvents({ _id: marker, version: 1 }, [registered(marker)]));
    await relay.drain();
    await expectEventually(() => expect(publishedFor(marker)).toHaveLength(1));
    expect(publishedFor(id)).toHaveLength(0);
  });

  it('publishes after a restart the events of a process killed between the write and the publication', async () => {
    const id = `hh-crash-${Date.now()}`;
    const child = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', join(__dirname, '../test-support/write-then-crash.ts'), mongoUri, id],
      { encoding: 'utf8', env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.json' }, timeout: 60_000 },
    );
    expect(child.signal).toBe('SIGKILL');
    const pending = await households.findOne({ _id: id });
    expect(pending?.outbox).toHaveLength(1);
    expect(publishedFor(id)).toHaveLength(0);

    const restarted = new OutboxRelay([households], publisher, { pollIntervalMs: 100 });
    restarted.start();
    try {
      await expectEventually(() => expect(publishedFor(id)).toHaveLength(1));
    } finally {
      await restarted.stop();
    }
    expect(JSON.parse(publishedFor(id)[0].value ?? '{}')).toEqual({
      householdId: id,
      resident: false,
      childrenCount: 2,
    });
  });

  it('lets two relay instances share the work without publishing an event twice', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `hh-pair-${Date.now()}-${i}`);
    await households.insertMany(
      ids.map((id) => newDocumentWithEvents({ _id: id, version: 1 }, [registered(id)])),
    );
    const secondPublisher = new RecordPublisher(kafka);
    const first = new OutboxRelay([households], publisher);
    const second = new OutboxRelay([households], secondPublisher);
    try {
      const [a, b] = await Promise.all([first.drain(), second.drain()]);
      expect(a + b).toBe(20);
    } finally {
      await secondPublisher.disconnect();
    }
    await expectEventually(() => {
      for (const id of ids) expect(publishedFor(id)).toHaveLength(1);
    });
  });

  it('puts aside a document it cannot publish and still publishes the others', async () => {
    const stuck = `hh-stuck-${Date.now()}`;
    const fine = `hh-fine-${Date.now()}`;
    await households.insertOne(newDocumentWithEvents({ _id: stuck, version: 1 }, [registered(stuck)]));
    await households.insertOne(newDocumentWithEvents({ _id: fine, version: 1 }, [registered(fine)]));
    class RefusesOneAggregate extends RecordPublisher {
      override async publish(records: Parameters<RecordPublisher['publish']>[0]): Promise<void> {
        if (records.some((record) => record.key === stuck)) throw new Error('MESSAGE_TOO_LARGE');
        return super.publish(records);
      }
    }
    const refusing = new RefusesOneAggregate(kafka);
    try {
      const relay = new OutboxRelay([households], refusing, { failureBackoffMs: 60_000 });
      await expect(relay.drain()).rejects.toThrow('MESSAGE_TOO_LARGE');
      await expectEventually(() => expect(publishedFor(fine)).toHaveLength(1));
      const putAside = await households.findOne({ _id: stuck });
      expect(putAside?.outbox).toHaveLength(1);
      expect(putAside?.outboxLease?.getTime()).toBeGreaterThan(Date.now() + 30_000);
      expect(await relay.drain()).toBe(0); // not retried before its backoff
    } finally {
      await refusing.disconnect();
    }
    expect(publishedFor(stuck)).toHaveLength(0);
  });

  it('publishes a long backlog in chunks and empties the outbox', async () => {
    const id = `hh-backlog-${Date.now()}`;
    const events = Array.from({ length: 250 }, (_, i) => updated(id, i + 2, i % 20));
    await households.insertOne(newDocumentWithEvents({ _id: id, version: 251 }, [registered(id), ...events]));
    expect(await new OutboxRelay([households], publisher).drain()).toBe(251);
    const records = await expectEventually(() => {
      const found = publishedFor(id);
      expect(found).toHaveLength(251);
      return found;
    });
    expect(records.map((r) => Number(r.headers.ce_sequence))).toEqual(
      Array.from({ length: 251 }, (_, i) => i + 1),
    );
    const stored = await households.findOne({ _id: id });
    expect(stored?.outbox).toEqual([]);
    expect(stored?.outboxSince).toBeUndefined();
  });

  it('publishes a hinted document at once, by id, and finds an unhinted one at its next full pass', async () => {
    const hinted = `hh-hinted-${Date.now()}`;
    const unhinted = `hh-unhinted-${Date.now()}`;
    // The first pass (at start) finds nothing of these; later ones are an hour apart.
    const relay = new OutboxRelay([households], publisher, {
      pollIntervalMs: 100,
      fullPassIntervalMs: 3_600_000,
    });
    relay.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await households.insertOne(
        newDocumentWithEvents({ _id: unhinted, version: 1 }, [registered(unhinted)]),
      );
      await households.insertOne(newDocumentWithEvents({ _id: hinted, version: 1 }, [registered(hinted)]));
      relay.nudge('households', hinted);
      await expectEventually(() => expect(publishedFor(hinted)).toHaveLength(1));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(publishedFor(unhinted)).toHaveLength(0);
    } finally {
      await relay.stop();
    }
    // A full pass (as at the next start, or an hour later) publishes the one nobody hinted.
    expect(await new OutboxRelay([households], publisher).drain()).toBeGreaterThanOrEqual(1);
    await expectEventually(() => expect(publishedFor(unhinted)).toHaveLength(1));
  });
});
