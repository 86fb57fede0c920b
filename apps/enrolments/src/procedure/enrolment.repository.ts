import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { ServiceKind } from '@guichet/contracts';
import { OutboxEntry, OutboxFields, withEvents } from '@guichet/messaging';

/** The collection of enrolments, whose documents keep their pending events. */
export const ENROLMENTS = 'enrolments';

export const ENROLMENT_STATUSES = [
  'draft',
  'submitted',
  'accepted',
  'waitlisted',
  'offered',
  'rejected',
  'cancelled',
  'expired',
] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];
/** The statuses in which an enrolment is still alive: one per child and offer at most. */
export const ACTIVE_STATUSES: EnrolmentStatus[] = ['draft', 'submitted', 'accepted', 'waitlisted', 'offered'];
/** The statuses that hold a place of the offer's ledger. */
export const PLACE_HOLDING: EnrolmentStatus[] = ['accepted', 'offered'];

/** A price of the enrolment from a date, as tariffs computed it. */
export interface PriceSegment {
  appliesFrom: string;
  unitPriceCents: number;
  gridId: string;
  gridVersion: number;
  qfRecordId?: string;
  /** Crèches: the PSU inputs the hourly price came from, and the contract's monthly price. */
  psuInputsId?: string;
  monthlyContractCents?: number;
  explanation: string[];
}

export interface AllocationRef {
  allocationId: string;
  rank: number;
  points: number;
  explanation: string;
}

export interface EnrolmentDocument extends OutboxFields {
  _id: string;
  householdId: string;
  childId: string;
  offerId: string;
  service: ServiceKind;
  siteId: string;
  status: EnrolmentStatus;
  /** `<child>:<offer>` while active (a unique index forbids two), `<child>:<offer>:<id>` after. */
  activeKey: string;
  /** Priority criteria the family declared (ids of the offer's criteria). */
  criteria: string[];
  /** Crèches: hours per year of the care contract asked for, for its monthly price. */
  contractHoursPerYear?: number;
  /** A crèche application made before the birth, with the expected birth date. */
  preRegistration: boolean;
  /** When the family confirmed the birth of a pre-registered child. */
  birthConfirmedAt?: Date;
  createdAt: Date;
  submittedAt?: Date;
  decidedAt?: Date;
  rejection?: { code: string; reason: string };
  cancellation?: { by: string; at: Date };
  allocation?: AllocationRef;
  placeOffer?: { expiresAt: Date };
  prices: PriceSegment[];
  /** The last PriceComputed events applied, so a redelivered one changes nothing. */
  priceEvents: string[];
  idempotency?: { key: string; requestHash: string };
  /** The answer to the creating request, returned again for a repeated Idempotency-Key. */
  firstAnswer?: unknown;
}

export type EnrolmentUpdate = mongo.UpdateFilter<EnrolmentDocument> & Record<string, unknown>;

@Injectable()
export class EnrolmentRepository implements OnModuleInit {
  readonly collection: mongo.Collection<EnrolmentDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.collection = connection.collection<EnrolmentDocument>(ENROLMENTS);
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex(
      { activeKey: 1 },
      { name: 'one_active_per_child_and_offer', unique: true },
    );
    await this.collection.createIndex({ householdId: 1 }, { name: 'household' });
    await this.collection.createIndex({ offerId: 1, status: 1 }, { name: 'offer_status' });
  }

  find(id: string): Promise<EnrolmentDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Inserts a new enrolment with its events; 'id' when this id exists, 'active' when the child is enrolled already. */
  async insert(document: EnrolmentDocument): Promise<'ok' | 'id' | 'active'> {
    try {
      await this.collection.insertOne(document);
      return 'ok';
    } catch (error) {
      const failure = error as { code?: number; message?: string; keyPattern?: Record<string, unknown> };
      if (failure.code !== 11000) throw error;
      const activeKeyClash =
        failure.keyPattern?.activeKey !== undefined || /activeKey|one_active/.test(failure.message ?? '');
      return activeKeyClash ? 'active' : 'id';
    }
  }

  /**
   * Moves an enrolment that matches `filter` (typically its expected status) in one single-document
   * write with its events. Returns the new document, or null when it no longer matched.
   */
  async transition(
    id: string,
    filter: mongo.Filter<EnrolmentDocument>,
    update: EnrolmentUpdate,
    events: OutboxEntry[] = [],
  ): Promise<EnrolmentDocument | null> {
    return this.collection.findOneAndUpdate({ ...filter, _id: id }, withEvents(update, events), {
      returnDocument: 'after',
    });
  }

  ofHousehold(householdId: string, statuses?: EnrolmentStatus[]): Promise<EnrolmentDocument[]> {
    const filter: mongo.Filter<EnrolmentDocument> = { householdId };
    if (statuses) filter.status = { $in: statuses };
    return this.collection.find(filter).sort({ createdAt: 1 }).limit(500).toArray();
  }

  search(filter: mongo.Filter<EnrolmentDocument>, limit: number, skip: number): Promise<EnrolmentDocument[]> {
    return this.collection.find(filter).sort({ createdAt: 1, _id: 1 }).skip(skip).limit(limit).toArray();
  }

  submittedOf(offerId: string): Promise<EnrolmentDocument[]> {
    return this.collection.find({ offerId, status: 'submitted' }).toArray();
  }
}
