import type { mongo } from 'mongoose';

type Collection<T extends mongo.Document> = mongo.Collection<T>;

/**
 * Remembers which events a consumer group has handled, so a redelivered event has no second effect.
 * Kept in the consuming service's own database. FerretDB has no TTL indexes: old entries are purged
 * by {@link purgeOlderThan}, called on a schedule by the consumer.
 */
export class ProcessedEvents {
  constructor(private readonly collection: Collection<{ _id: string; type: string; processedAt: Date }>) {}

  private static key(group: string, eventId: string): string {
    return `${group}/${eventId}`;
  }

  async has(group: string, eventId: string): Promise<boolean> {
    return (
      (await this.collection.countDocuments({ _id: ProcessedEvents.key(group, eventId) }, { limit: 1 })) > 0
    );
  }

  async remember(group: string, eventId: string, type: string): Promise<void> {
    try {
      await this.collection.insertOne({
        _id: ProcessedEvents.key(group, eventId),
        type,
        processedAt: new Date(),
      });
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error; // already remembered: fine
    }
  }

  async purgeOlderThan(date: Date): Promise<number> {
    const result = await this.collection.deleteMany({ processedAt: { $lt: date } });
    return result.deletedCount;
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ processedAt: 1 }, { name: 'processed_at' });
  }
}
