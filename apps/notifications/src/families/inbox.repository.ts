import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { MessageKind } from '../templates/catalogue';

/** A message in a family's inbox (in-app), under its delivery's id. */
export interface InboxMessageDocument {
  _id: string;
  householdId: string;
  notificationId: string;
  kind: MessageKind;
  subject: string;
  text: string;
  createdAt: Date;
  readAt?: Date;
}

export type InboxMessageView = Omit<InboxMessageDocument, '_id'> & { id: string };

@Injectable()
export class InboxRepository implements OnModuleInit {
  private readonly messages: mongo.Collection<InboxMessageDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.messages = connection.collection<InboxMessageDocument>('inbox');
  }

  async onModuleInit(): Promise<void> {
    await this.messages.createIndex({ householdId: 1, createdAt: -1 }, { name: 'household' });
  }

  /** Puts a message in the inbox once (its id is the delivery's: a second run rewrites the same). */
  async deliver(message: InboxMessageDocument): Promise<void> {
    const { _id, ...fields } = message;
    await this.messages.updateOne({ _id }, { $set: fields }, { upsert: true });
  }

  async list(householdId: string, limit: number): Promise<InboxMessageView[]> {
    const found = await this.messages.find({ householdId }).sort({ createdAt: -1 }).limit(limit).toArray();
    return found.map(({ _id, ...rest }) => ({ id: _id, ...rest }));
  }

  unreadCount(householdId: string): Promise<number> {
    return this.messages.countDocuments({ householdId, readAt: { $exists: false } });
  }

  /** Marks a message read (the first reading's date stays); false when the household has no such message. */
  async markRead(householdId: string, id: string): Promise<boolean> {
    const found = await this.messages.findOne({ _id: id, householdId }, { projection: { readAt: 1 } });
    if (!found) return false;
    if (!found.readAt)
      await this.messages.updateOne(
        { _id: id, readAt: { $exists: false } },
        { $set: { readAt: new Date() } },
      );
    return true;
  }

  async eraseHousehold(householdId: string): Promise<void> {
    await this.messages.deleteMany({ householdId });
  }
}
