import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { BroadcastScope } from '../events/projection.repository';

/** An agent's notice: what it says, whom it targets, how many families it reached. */
export interface BroadcastDocument {
  _id: string;
  scope: BroadcastScope;
  subject: string;
  text: string;
  /** The families it reaches (ids only), so its jobs can be added again; an erased family leaves it. */
  households: string[];
  /** The agent's account id. */
  createdBy: string;
  createdAt: Date;
  /** Set once every family's job was added. */
  enqueuedAt?: Date;
}

@Injectable()
export class BroadcastRepository {
  private readonly broadcasts: mongo.Collection<BroadcastDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.broadcasts = connection.collection<BroadcastDocument>('broadcasts');
  }

  async save(broadcast: BroadcastDocument): Promise<void> {
    await this.broadcasts.insertOne(broadcast);
  }

  find(id: string): Promise<BroadcastDocument | null> {
    return this.broadcasts.findOne({ _id: id });
  }

  async markEnqueued(id: string): Promise<void> {
    await this.broadcasts.updateOne({ _id: id }, { $set: { enqueuedAt: new Date() } });
  }

  notEnqueuedBefore(date: Date): Promise<BroadcastDocument[]> {
    return this.broadcasts
      .find({ enqueuedAt: { $exists: false }, createdAt: { $lt: date } })
      .limit(100)
      .toArray();
  }

  /** GDPR erasure: the household leaves the lists of the notices it received ($pullAll: FerretDB ignores $pull conditions). */
  async eraseHousehold(householdId: string): Promise<void> {
    await this.broadcasts.updateMany(
      { households: householdId },
      { $pullAll: { households: [householdId] } },
    );
  }
}
