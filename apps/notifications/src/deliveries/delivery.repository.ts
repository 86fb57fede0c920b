import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import { CHANNELS } from '@guichet/contracts';
import { OutboxEntry, OutboxFields, withEvents } from '@guichet/messaging';
import type { MessageKind } from '../templates/catalogue';

export type Channel = (typeof CHANNELS)[number];
export const DELIVERY_STATUSES = ['queued', 'sent', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One message on one channel to one recipient. Its `_id` is derived from (event, recipient, channel)
 * and is also the BullMQ job id: the primary key is the unique index that makes a redelivered event
 * record nothing twice. The message itself waits here (the job only carries the id), so Redis never
 * holds an address or a text.
 */
export interface DeliveryDocument extends OutboxFields {
  _id: string;
  /** One message, whatever the channels: derived from the event and the household. */
  notificationId: string;
  eventId: string;
  /** The household (the account for an account message without one); `erased` after erasure. */
  householdId: string;
  kind: MessageKind;
  channel: Channel;
  status: DeliveryStatus;
  attempts: number;
  /** Personal parts, removed once sent, failed or erased. */
  recipient?: string;
  subject?: string;
  text?: string;
  html?: string;
  /** The last failure, addresses and phone numbers masked. */
  reason?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What families and agents read of a delivery: never the recipient nor the text. */
export type DeliveryView = Pick<
  DeliveryDocument,
  | 'notificationId'
  | 'householdId'
  | 'kind'
  | 'channel'
  | 'status'
  | 'attempts'
  | 'reason'
  | 'createdAt'
  | 'updatedAt'
> & { id: string; subject?: string };

export interface DeliveryFilter {
  householdId?: string;
  status?: DeliveryStatus;
  channel?: Channel;
}

const PERSONAL_PARTS = { recipient: '', text: '', html: '' } as const;

@Injectable()
export class DeliveryRepository implements OnModuleInit {
  private readonly deliveries: mongo.Collection<DeliveryDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.deliveries = connection.collection<DeliveryDocument>('deliveries');
  }

  async onModuleInit(): Promise<void> {
    await this.deliveries.createIndex({ householdId: 1, createdAt: -1 }, { name: 'household' });
    await this.deliveries.createIndex({ status: 1, createdAt: -1 }, { name: 'status' });
  }

  /** Records a delivery unless it exists (a redelivered event); returns the stored one either way. */
  async record(delivery: Omit<DeliveryDocument, 'status' | 'attempts' | 'createdAt' | 'updatedAt'>) {
    const now = new Date();
    try {
      await this.deliveries.insertOne({
        ...delivery,
        status: 'queued',
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      });
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error;
    }
    return this.deliveries.findOne({ _id: delivery._id });
  }

  /** Deliveries recorded before a date and still waiting: their job may have been lost with Redis's data. */
  async queuedBefore(
    date: Date,
    limit: number,
    channel?: Channel,
  ): Promise<Pick<DeliveryDocument, '_id' | 'channel'>[]> {
    return this.deliveries
      .find(
        { status: 'queued', createdAt: { $lt: date }, ...(channel ? { channel } : {}) },
        { projection: { _id: 1, channel: 1 } },
      )
      .sort({ createdAt: 1 })
      .limit(limit)
      .toArray();
  }

  find(id: string): Promise<DeliveryDocument | null> {
    return this.deliveries.findOne({ _id: id });
  }

  /** Sent: the status and its event in one write, only from `queued` (a stalled job run twice changes nothing). */
  async markSent(id: string, events: OutboxEntry[]): Promise<boolean> {
    const result = await this.deliveries.updateOne(
      { _id: id, status: 'queued' },
      withEvents(
        {
          $set: { status: 'sent' as const, updatedAt: new Date() },
          $inc: { attempts: 1 },
          $unset: PERSONAL_PARTS,
        },
        events,
      ),
    );
    return result.modifiedCount === 1;
  }

  /** A failed attempt; the last one (`events` given) makes the delivery `failed` with its event. */
  async recordFailure(id: string, reason: string, final: OutboxEntry[] | undefined): Promise<void> {
    const set = { reason, updatedAt: new Date(), ...(final ? { status: 'failed' as const } : {}) };
    const update = { $set: set, $inc: { attempts: 1 }, ...(final ? { $unset: PERSONAL_PARTS } : {}) };
    await this.deliveries.updateOne(
      { _id: id, status: 'queued' },
      final ? withEvents(update, final) : update,
    );
  }

  async list(filter: DeliveryFilter, limit: number): Promise<DeliveryView[]> {
    const found = await this.deliveries
      .find(filter, {
        projection: {
          recipient: 0,
          text: 0,
          html: 0,
          outbox: 0,
          outboxPending: 0,
          outboxSince: 0,
          outboxLease: 0,
        },
      })
      .sort({ createdAt: -1 })
      .limit(limit)
      .toArray();
    return found.map(({ _id, eventId: _eventId, ...rest }) => ({ id: _id, ...rest }));
  }

  /** GDPR erasure: waiting deliveries are cancelled, and none keeps an address, a text or the household id. */
  async eraseHousehold(householdId: string): Promise<void> {
    const now = new Date();
    await this.deliveries.updateMany(
      { householdId, status: 'queued' },
      { $set: { status: 'cancelled', reason: 'foyer effacé', updatedAt: now } },
    );
    await this.deliveries.updateMany(
      { householdId },
      { $set: { householdId: 'erased', updatedAt: now }, $unset: { ...PERSONAL_PARTS, subject: '' } },
    );
  }
}
