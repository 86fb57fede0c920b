// Run by outbox-relay.integration-spec.ts in a child process: writes an aggregate and its pending
// event, then dies with SIGKILL before any relay could publish it, like a service killed mid-request.
import mongoose from 'mongoose';
import { HouseholdRegistered } from '@guichet/contracts';
import { newDocumentWithEvents, outboxEntry } from '../outbox/outbox-entry';
import { OutboxDocument } from '../outbox/outbox-relay';

async function main(): Promise<void> {
  const [uri, id] = process.argv.slice(2);
  const connection = await mongoose.createConnection(uri).asPromise();
  const entry = outboxEntry('guichet/test', HouseholdRegistered, {
    subject: id,
    sequence: 1,
    data: { householdId: id, resident: false, childrenCount: 2 },
  });
  await connection
    .collection<OutboxDocument>('households')
    .insertOne(newDocumentWithEvents({ _id: id, version: 1 }, [entry]));
  process.kill(process.pid, 'SIGKILL');
}

void main();
