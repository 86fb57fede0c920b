import { createHash } from 'node:crypto';
import type { mongo } from 'mongoose';

/** Per collection, the documents that count (the others are left out of its picture). */
export type FingerprintScopes = Record<string, mongo.Filter<mongo.Document>>;

/** Fields the outbox relay changes on its own after a write: not part of what a request changed. */
const RELAY_FIELDS = { outbox: 0, outboxPending: 0, outboxSince: 0, outboxLease: 0 } as const;

/**
 * A picture of a database to compare before and after requests: per collection, its document count
 * and a hash of its documents (by _id order), the outbox relay's bookkeeping left out.
 * `ignore` names collections that change by design whatever the request (rate-limit windows…);
 * `only` keeps a filter's documents of a collection that consumers of the shared topics also write
 * (a test's own household in a collection where other runs' events land too).
 */
export async function databaseFingerprint(
  db: mongo.Db,
  ignore: string[] = [],
  only: FingerprintScopes = {},
): Promise<Record<string, string>> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((name) => !name.startsWith('system.') && name !== 'processed_events' && !ignore.includes(name))
    .sort();
  const picture: Record<string, string> = {};
  for (const name of names) {
    const documents = await db
      .collection(name)
      .find(only[name] ?? {}, { projection: RELAY_FIELDS })
      .sort({ _id: 1 })
      .toArray();
    const hash = createHash('sha256').update(JSON.stringify(documents)).digest('hex').slice(0, 16);
    picture[name] = `${documents.length} documents, ${hash}`;
  }
  return picture;
}
