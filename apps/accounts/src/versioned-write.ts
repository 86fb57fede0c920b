import type { mongo } from 'mongoose';
import { OutboxEntry, OutboxFields, withEvents } from '@guichet/messaging';

interface Versioned extends OutboxFields {
  _id: string;
  /** Incremented by every change. */
  version: number;
}

/**
 * Writes the next version of an aggregate with its events, if nobody wrote since `version - 1` was
 * read (optimistic concurrency, one single-document write); false otherwise.
 */
export async function replaceVersion<D extends Versioned>(
  collection: mongo.Collection<D>,
  next: Omit<D, keyof OutboxFields>,
  events: OutboxEntry[],
): Promise<boolean> {
  const { _id, version, ...state } = next;
  const result = await collection.updateOne(
    { _id, version: version - 1 } as mongo.Filter<D>,
    withEvents({ $set: { ...state, version } }, events) as mongo.UpdateFilter<D>,
  );
  return result.modifiedCount === 1;
}
