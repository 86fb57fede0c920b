import { Logger } from '@nestjs/common';
import type { mongo } from 'mongoose';
import type { RecordPublisher } from '../kafka/record-publisher';
import type { OutboxEntry, OutboxFields } from './outbox-entry';

/** What a document with pending events looks like to a search: an equality every store can index. */
export const PENDING_OUTBOX_FILTER = { outboxPending: true } as const;

/** The part of an aggregate document the relay reads and writes. */
export interface OutboxDocument extends OutboxFields {
  _id: mongo.BSON.ObjectId | string;
}

export type OutboxCollection = mongo.Collection<OutboxDocument>;

/** Events sent in one request, and removed from the outbox in one write, at most. */
const CHUNK_SIZE = 100;
/** Documents one pass takes from a collection before giving the others a turn. */
const MAX_DOCUMENTS_PER_PASS = 1_000;

export interface OutboxRelayOptions {
  /** How long one instance holds a document's events before another may take them over. */
  leaseMs?: number;
  /** How often to look at the hinted documents when nobody nudged the relay. */
  pollIntervalMs?: number;
  /**
   * How often every outbox collection is searched for pending events whatever the hints say: the
   * events of another instance that died, or of a write whose hint was lost in a crash. A search is
   * a scan on stores without secondary indexes (FerretDB), so it is rare; hints make it unneeded.
   */
  fullPassIntervalMs?: number;
  /** How long to wait after a failed publication before trying again. */
  failureBackoffMs?: number;
}

/** MongoDB's IndexNotFound, also what FerretDB answers. */
const INDEX_NOT_FOUND = 27;

async function dropIndexIfAny(collection: OutboxCollection, name: string): Promise<void> {
  try {
    await collection.dropIndex(name);
  } catch (error) {
    if ((error as { code?: number }).code !== INDEX_NOT_FOUND) throw error;
  }
}

/**
 * Publishes the events that aggregates keep in their own documents, oldest first, in the order they
 * were written, then removes them. A crash between publishing and removing publishes them again
 * (at-least-once); consumers drop the duplicates by event id. An event is only ever published after
 * the write that holds it has succeeded, so no event of an unwritten change can leave.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly failureBackoffMs: number;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private nudged = false;
  /** Documents known to hold new events, by collection name: published by _id, with no search. */
  private readonly hints = new Map<string, Set<OutboxDocument['_id']>>();
  private readonly fullPassIntervalMs: number;
  private lastFullPass = 0;
  private fullPassWanted = true;

  constructor(
    private readonly collections: readonly OutboxCollection[],
    private readonly publisher: RecordPublisher,
    options: OutboxRelayOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.failureBackoffMs = options.failureBackoffMs ?? 2_000;
    this.fullPassIntervalMs = options.fullPassIntervalMs ?? 30_000;
  }

  /**
   * The index each outbox collection needs so the relay finds pending documents, oldest first,
   * without a scan; and the flag the search uses, on documents written before it existed (one scan).
   */
  static async ensureIndexes(collection: OutboxCollection): Promise<void> {
    await collection.createIndex({ outboxPending: 1, outboxSince: 1 }, { name: 'outbox_pending_since' });
    await dropIndexIfAny(collection, 'outbox_pending'); // the former { outboxSince: 1 }
    await collection.updateMany(
      { outboxSince: { $exists: true }, outboxPending: { $exists: false } },
      { $set: { outboxPending: true } },
    );
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the publication under way, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /**
   * Tells the relay that a write just added events. With the document's collection and id, it is
   * published at once by id; without, the relay searches every outbox collection (at most once a second).
   */
  nudge(collection?: string, id?: OutboxDocument['_id']): void {
    if (collection !== undefined && id !== undefined) {
      const ids = this.hints.get(collection) ?? new Set();
      ids.add(id);
      this.hints.set(collection, ids);
    } else {
      this.fullPassWanted = true;
    }
    this.nudged = true;
    this.wake?.();
  }

  /**
   * Publishes everything pending now; returns how many events went out. A document that cannot be
   * published is put aside for a while (its lease is pushed back) and the others still go out; the
   * first failure is thrown at the end so the caller backs off.
   */
  async drain(): Promise<number> {
    return this.drainDue(true);
  }

  /** The hinted documents, then a search of every collection when one is due (or `search`). */
  private async drainDue(search: boolean): Promise<number> {
    let published = 0;
    let failure: unknown;
    const attempt = async (collection: OutboxCollection, document: OutboxDocument | null) => {
      if (!document) return;
      try {
        published += await this.publishDocument(collection, document);
      } catch (error) {
        failure ??= error;
        await collection.updateOne(
          { _id: document._id, outboxLease: document.outboxLease },
          { $set: { outboxLease: new Date(Date.now() + this.failureBackoffMs) } },
        );
      }
    };
    for (const collection of this.collections) {
      const hinted = this.hints.get(collection.collectionName);
      if (!hinted?.size) continue;
      this.hints.delete(collection.collectionName);
      for (const id of hinted) await attempt(collection, await this.claim(collection, id));
    }
    const now = Date.now();
    const due =
      search ||
      now - this.lastFullPass >= this.fullPassIntervalMs ||
      (this.fullPassWanted && now - this.lastFullPass >= 1_000);
    if (due) {
      this.fullPassWanted = false;
      this.lastFullPass = now;
      for (const collection of this.collections) {
        for (const id of await this.pendingIds(collection)) {
          await attempt(collection, await this.claim(collection, id));
        }
      }
    }
    if (failure !== undefined) throw failure;
    return published;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = this.pollIntervalMs;
      try {
        this.nudged = false;
        await this.drainDue(false);
      } catch (error) {
        this.logger.warn(`outbox publication failed, retrying: ${(error as Error).message}`);
        delay = this.failureBackoffMs;
      }
      if (this.running && !this.nudged) await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /**
   * The documents with pending events, oldest first, read once per pass: each is then claimed by
   * its id, so a pass reads the pending documents once rather than once per claim (FerretDB sorts
   * in its own memory every document that matches, whatever the limit).
   */
  private async pendingIds(collection: OutboxCollection): Promise<OutboxDocument['_id'][]> {
    const pending = await collection
      .find(PENDING_OUTBOX_FILTER, { projection: { _id: 1 } })
      .sort({ outboxSince: 1 })
      .limit(MAX_DOCUMENTS_PER_PASS)
      .toArray();
    return pending.map((document) => document._id);
  }

  /** Takes the lease on a document with pending events, unless another relay holds it. */
  private async claim(
    collection: OutboxCollection,
    id: OutboxDocument['_id'],
  ): Promise<OutboxDocument | null> {
    const now = new Date();
    return collection.findOneAndUpdate(
      {
        _id: id,
        ...PENDING_OUTBOX_FILTER,
        $or: [{ outboxLease: { $exists: false } }, { outboxLease: { $lt: now } }],
      },
      { $set: { outboxLease: new Date(now.getTime() + this.leaseMs) } },
      { returnDocument: 'after' },
    );
  }

  /** Publishes a document's events in order, in bounded chunks, each removed once Kafka has it. */
  private async publishDocument(collection: OutboxCollection, document: OutboxDocument): Promise<number> {
    const entries: OutboxEntry[] = document.outbox ?? [];
    if (entries.length <= CHUNK_SIZE) {
      await this.publisher.publish(entries);
      // The usual case, one write: nothing was added meanwhile, so the outbox goes with its lease.
      const cleared = await collection.updateOne(
        { _id: document._id, outboxLease: document.outboxLease, outbox: { $size: entries.length } },
        { $unset: { outbox: '', outboxPending: '', outboxSince: '', outboxLease: '' } },
      );
      if (cleared.modifiedCount === 1) return entries.length;
      await this.remove(collection, document, entries);
    } else {
      for (let start = 0; start < entries.length; start += CHUNK_SIZE) {
        const chunk = entries.slice(start, start + CHUNK_SIZE);
        await this.publisher.publish(chunk);
        await this.remove(collection, document, chunk);
      }
    }
    await collection.updateOne(
      { _id: document._id, outboxLease: document.outboxLease },
      { $unset: { outboxLease: '' } },
    );
    // Events written while these were being published keep the document pending.
    await collection.updateOne(
      { _id: document._id, $or: [{ outbox: { $size: 0 } }, { outbox: { $exists: false } }] },
      { $unset: { outboxPending: '', outboxSince: '' } },
    );
    return entries.length;
  }

  /** Removes published entries: $pullAll with the entries as read removes exactly these (FerretDB ignores $pull conditions). */
  private async remove(
    collection: OutboxCollection,
    document: OutboxDocument,
    chunk: OutboxEntry[],
  ): Promise<void> {
    const removed = await collection.updateOne({ _id: document._id }, { $pullAll: { outbox: chunk } });
    if (removed.modifiedCount === 0) {
      throw new Error(`published events of ${String(document._id)} could not be removed from its outbox`);
    }
  }
}
