import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { EnrolmentRefV1 } from '@guichet/contracts';

export type EnrolmentStatus =
  'submitted' | 'accepted' | 'waitlisted' | 'offered' | 'rejected' | 'cancelled' | 'offer-expired';

/** The statuses of an enrolment whose family hears an agent's notice about its offer or site. */
export const ACTIVE_STATUSES: EnrolmentStatus[] = ['submitted', 'accepted', 'waitlisted', 'offered'];

/** What notifications knows of an enrolment: enough to find the families of an offer or a site. */
export interface EnrolmentDocument {
  _id: string;
  householdId: string;
  offerId: string;
  siteId?: string;
  status: EnrolmentStatus;
  /** The envelope `time` of the last event applied: an older one changes nothing. */
  asOf: string;
}

/** One booked day of one enrolment (meals, ACM days), to reach the families of a day. */
export interface BookedDayDocument {
  _id: string;
  enrolmentId: string;
  householdId: string;
  offerId: string;
  siteId?: string;
  date: string;
}

export type BroadcastScope =
  | { kind: 'offer'; offerId: string }
  | { kind: 'site'; siteId: string }
  | { kind: 'day'; date: string; offerId?: string };

@Injectable()
export class ProjectionRepository implements OnModuleInit {
  private readonly enrolments: mongo.Collection<EnrolmentDocument>;
  private readonly days: mongo.Collection<BookedDayDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.enrolments = connection.collection<EnrolmentDocument>('enrolments');
    this.days = connection.collection<BookedDayDocument>('booked_days');
  }

  async onModuleInit(): Promise<void> {
    await this.enrolments.createIndex({ offerId: 1, status: 1 }, { name: 'offer' });
    await this.enrolments.createIndex({ siteId: 1, status: 1 }, { name: 'site' });
    await this.enrolments.createIndex({ householdId: 1 }, { name: 'household' });
    await this.days.createIndex({ date: 1, offerId: 1 }, { name: 'day' });
    await this.days.createIndex({ householdId: 1 }, { name: 'household' });
  }

  /** Records the enrolment's status unless a later event already did. */
  async saveEnrolment(event: EnrolmentRefV1, status: EnrolmentStatus, asOf: string): Promise<void> {
    const fields = {
      householdId: event.householdId,
      offerId: event.offerId,
      ...(event.siteId ? { siteId: event.siteId } : {}),
      status,
      asOf,
    };
    try {
      await this.enrolments.updateOne(
        { _id: event.enrolmentId, asOf: { $lte: asOf } },
        { $set: fields },
        { upsert: true },
      );
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error; // a later event is applied already
    }
  }

  /** Days added are recorded, days cancelled removed; both naturally idempotent. */
  async saveBookings(event: EnrolmentRefV1, booked: string[], cancelled: string[]): Promise<void> {
    const id = (date: string) => `${event.enrolmentId}|${date}`;
    if (booked.length > 0) {
      await this.days.bulkWrite(
        booked.map((date) => ({
          updateOne: {
            filter: { _id: id(date) },
            update: {
              $set: {
                enrolmentId: event.enrolmentId,
                householdId: event.householdId,
                offerId: event.offerId,
                ...(event.siteId ? { siteId: event.siteId } : {}),
                date,
              },
            },
            upsert: true,
          },
        })),
      );
    }
    if (cancelled.length > 0) await this.days.deleteMany({ _id: { $in: cancelled.map(id) } });
  }

  /** The households an agent's notice reaches, each once. */
  async householdsIn(scope: BroadcastScope): Promise<string[]> {
    const found =
      scope.kind === 'day'
        ? await this.days
            .find({ date: scope.date, ...(scope.offerId ? { offerId: scope.offerId } : {}) })
            .project<{ householdId: string }>({ householdId: 1 })
            .toArray()
        : await this.enrolments
            .find({
              ...(scope.kind === 'offer' ? { offerId: scope.offerId } : { siteId: scope.siteId }),
              status: { $in: ACTIVE_STATUSES },
            })
            .project<{ householdId: string }>({ householdId: 1 })
            .toArray();
    return [...new Set(found.map((document) => document.householdId))].sort();
  }

  async eraseHousehold(householdId: string): Promise<void> {
    await this.enrolments.deleteMany({ householdId });
    await this.days.deleteMany({ householdId });
  }
}
