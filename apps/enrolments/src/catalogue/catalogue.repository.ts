import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { ServiceKind } from '@guichet/contracts';
import type { PriorityCriterion } from '../domain/allocation';
import type { BookingRules, ServiceDays } from '../domain/booking-rules';
import type { EligibilityRules } from '../domain/eligibility';

export interface SiteDocument {
  _id: string;
  name: string;
  kind: string;
}

export interface PeriodDocument extends ServiceDays {
  _id: string;
  label: string;
}

export interface ProcedureRules {
  mode: 'fcfs' | 'window';
  opensAt: Date;
  closesAt: Date;
  placeOfferMinutes: number;
  allowsUnborn: boolean;
  priorities: PriorityCriterion[];
  keepSiblingsTogether: boolean;
}

/**
 * An offer: a service at a site for a period, with its capacity, rules and tariff grid. `places` is
 * the ledger of who holds a place (accepted, or offered and awaiting an answer): one document, so
 * taking a place is one conditional write and the capacity can never be exceeded.
 */
export interface OfferDocument {
  _id: string;
  service: ServiceKind;
  siteId: string;
  periodId: string;
  label: string;
  days: ServiceDays;
  capacity: number;
  eligibility: EligibilityRules;
  tariffGridId?: string;
  procedure: ProcedureRules;
  booking?: BookingRules;
  places: { free: number; holders: string[] };
  createdAt: Date;
}

const isDuplicate = (error: unknown) => (error as { code?: number }).code === 11000;

@Injectable()
export class CatalogueRepository implements OnModuleInit {
  private readonly sites: mongo.Collection<SiteDocument>;
  private readonly periods: mongo.Collection<PeriodDocument>;
  readonly offers: mongo.Collection<OfferDocument>;
  private readonly waitlistCounters: mongo.Collection<{ _id: string; last: number }>;

  constructor(@InjectConnection() connection: Connection) {
    this.sites = connection.collection<SiteDocument>('sites');
    this.periods = connection.collection<PeriodDocument>('periods');
    this.offers = connection.collection<OfferDocument>('offers');
    this.waitlistCounters = connection.collection<{ _id: string; last: number }>('waitlist_counters');
  }

  async onModuleInit(): Promise<void> {
    await this.offers.createIndex({ siteId: 1 }, { name: 'site' });
  }

  /** Inserts unless the id exists; false then. */
  async insert<T extends { _id: string }>(
    collection: 'sites' | 'periods' | 'offers',
    document: T,
  ): Promise<boolean> {
    try {
      await (this[collection] as unknown as mongo.Collection<T>).insertOne(
        document as mongo.OptionalUnlessRequiredId<T>,
      );
      return true;
    } catch (error) {
      if (isDuplicate(error)) return false;
      throw error;
    }
  }

  site(id: string) {
    return this.sites.findOne({ _id: id });
  }

  listSites() {
    return this.sites.find().sort({ _id: 1 }).limit(1_000).toArray();
  }

  period(id: string) {
    return this.periods.findOne({ _id: id });
  }

  listPeriods() {
    return this.periods.find().sort({ startsOn: -1 }).limit(1_000).toArray();
  }

  offer(id: string) {
    return this.offers.findOne({ _id: id });
  }

  listOffers(filter: mongo.Filter<OfferDocument> = {}) {
    return this.offers
      .find(filter, { projection: { 'places.holders': 0 } })
      .sort({ _id: 1 })
      .limit(1_000)
      .toArray();
  }

  /**
   * Gives a place of the offer to an enrolment if one is free. Taking the place it already holds is a
   * success that changes nothing, so a retried step is harmless.
   */
  async takePlace(offerId: string, enrolmentId: string): Promise<boolean> {
    const taken = await this.offers.updateOne(
      { _id: offerId, 'places.free': { $gt: 0 }, 'places.holders': { $ne: enrolmentId } },
      { $inc: { 'places.free': -1 }, $push: { 'places.holders': enrolmentId } },
    );
    if (taken.modifiedCount === 1) return true;
    return this.holds(offerId, enrolmentId);
  }

  /** Frees the place an enrolment holds; nothing when it holds none (a retried step). */
  async releasePlace(offerId: string, enrolmentId: string): Promise<boolean> {
    const released = await this.offers.updateOne(
      { _id: offerId, 'places.holders': enrolmentId },
      { $inc: { 'places.free': 1 }, $pullAll: { 'places.holders': [enrolmentId] } },
    );
    return released.modifiedCount === 1;
  }

  async holds(offerId: string, enrolmentId: string): Promise<boolean> {
    return (
      (await this.offers.countDocuments({ _id: offerId, 'places.holders': enrolmentId }, { limit: 1 })) === 1
    );
  }

  /** The next number in the offer's waitlist order: strictly increasing, whatever the clock says. */
  async nextWaitlistNumber(offerId: string): Promise<number> {
    // A counter of its own: the offer document holds the place ledger, too big to return for a number.
    const counter = await this.waitlistCounters.findOneAndUpdate(
      { _id: offerId },
      { $inc: { last: 1 } },
      { returnDocument: 'after', upsert: true },
    );
    return counter?.last ?? 0;
  }

  /** Changes the capacity unless that would leave fewer places than holders; false then. */
  async changeCapacity(offer: OfferDocument, capacity: number): Promise<boolean> {
    const delta = capacity - offer.capacity;
    const changed = await this.offers.updateOne(
      { _id: offer._id, capacity: offer.capacity, 'places.free': { $gte: -delta } },
      { $set: { capacity }, $inc: { 'places.free': delta } },
    );
    return changed.modifiedCount === 1;
  }
}
