import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import { OutboxEntry, OutboxFields, withEvents } from '@guichet/messaging';

/** The days booked for one accepted enrolment of a day-by-day service, and the credits of days cancelled in time. */
export interface BookingDocument extends OutboxFields {
  _id: string;
  householdId: string;
  childId: string;
  offerId: string;
  siteId: string;
  days: string[];
  credits: { date: string; cents: number }[];
  /** Bumped by every change: a change is written only over the state it was computed from. */
  rev: number;
}

@Injectable()
export class BookingRepository implements OnModuleInit {
  private readonly bookings: mongo.Collection<BookingDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.bookings = connection.collection<BookingDocument>('bookings');
  }

  async onModuleInit(): Promise<void> {
    await this.bookings.createIndex({ siteId: 1, days: 1 }, { name: 'site_day' });
    await this.bookings.createIndex({ householdId: 1 }, { name: 'household' });
  }

  find(enrolmentId: string): Promise<BookingDocument | null> {
    return this.bookings.findOne({ _id: enrolmentId });
  }

  /** Writes the new days over revision `rev` (0: none yet); false when another change came first. */
  async save(next: Omit<BookingDocument, 'rev'>, rev: number, events: OutboxEntry[]): Promise<boolean> {
    const { _id, ...fields } = next;
    try {
      const result = await this.bookings.updateOne(
        rev === 0 ? { _id, rev: { $exists: false } } : { _id, rev },
        withEvents({ $set: { ...fields, rev: rev + 1 } }, events),
        { upsert: rev === 0 },
      );
      return result.modifiedCount + result.upsertedCount === 1;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false; // created meanwhile
      throw error;
    }
  }

  onDay(siteId: string, date: string): Promise<BookingDocument[]> {
    return this.bookings
      .find({ siteId, days: date }, { projection: { days: 0, credits: 0, outbox: 0 } })
      .limit(10_000)
      .toArray();
  }

  async eraseHousehold(householdId: string): Promise<void> {
    await this.bookings.deleteMany({ householdId });
  }
}
