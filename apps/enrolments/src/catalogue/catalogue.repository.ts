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
  /**
   * Window mode: the allocation offers its places instead of giving them (crèches' commissions); each
   * family takes its place within placeOfferMinutes, or it goes to the next on the waitlist.
   */
  offersPlaces?: boolean;
  priorities: PriorityCriterion[];
  keepSiblingsTogether: boolean;
}

/**
 * A place move in progress, written into the offer's ledger in the same write as the place it takes
 * or before the one it frees, and removed once the enrolment has moved too: a move left behind by a
 * crash is found by the sweep in this small document and completed, with no scan of the enrolments.
 */
export interface PlaceMove {
  id: string;
  op: 'accept' | 'offer' | 'release' | 'enqueue';
  at: Date;
}

/** A place held for a waitlisted family until it answers. */
export interface HeldOffer {
  id: string;
  expiresAt: Date;
}

/**
 * The ledger of an offer's places, in the offer's own document: who holds a place (accepted, or
 * offered and awaiting an answer), who waits and in which order, the moves in progress and the
 * place offers running. One document, so taking a place is one conditional write: the capacity can
 * never be exceeded, and the waitlist order and positions are read without a query.
 */
export interface PlaceLedger {
  free: number;
  holders: string[];
  waiting: string[];
  moves: PlaceMove[];
  offered: HeldOffer[];
}

/** An offer: a service at a site for a period, with its capacity, rules, tariff grid and place ledger. */
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
  places: PlaceLedger;
  createdAt: Date;
}

export const emptyLedger = (capacity: number): PlaceLedger => ({
  free: capacity,
  holders: [],
  waiting: [],
  moves: [],
  offered: [],
});

const isDuplicate = (error: unknown) => (error as { code?: number }).code === 11000;

@Injectable()
export class CatalogueRepository implements OnModuleInit {
  private readonly sites: mongo.Collection<SiteDocument>;
  private readonly periods: mongo.Collection<PeriodDocument>;
  readonly offers: mongo.Collection<OfferDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.sites = connection.collection<SiteDocument>('sites');
    this.periods = connection.collection<PeriodDocument>('periods');
    this.offers = connection.collection<OfferDocument>('offers');
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
   * Gives a place to an enrolment if one is free, recording the move (and the place offer, if any)
   * in the same write and taking the enrolment off the waitlist. A newcomer (`ifNobodyWaits`) gets
   * a place only when nobody waits. Holding the place already is a success that changes nothing.
   */
  async takePlace(
    offerId: string,
    move: PlaceMove,
    options: { ifNobodyWaits?: boolean; offered?: HeldOffer } = {},
  ): Promise<boolean> {
    const taken = await this.offers.updateOne(
      {
        _id: offerId,
        'places.free': { $gt: 0 },
        'places.holders': { $ne: move.id },
        ...(options.ifNobodyWaits ? { 'places.waiting.0': { $exists: false } } : {}),
      },
      {
        $inc: { 'places.free': -1 },
        $push: {
          'places.holders': move.id,
          'places.moves': move,
          ...(options.offered ? { 'places.offered': options.offered } : {}),
        },
        $pullAll: { 'places.waiting': [move.id] },
      },
    );
    if (taken.modifiedCount === 1) return true;
    return this.holds(offerId, move.id);
  }

  /** Records a move before the enrolment changes (a release, a place on the waitlist). */
  async beginMove(offerId: string, move: PlaceMove): Promise<OfferDocument | null> {
    return this.offers.findOneAndUpdate(
      { _id: offerId },
      { $push: { 'places.moves': move } },
      { returnDocument: 'after' },
    );
  }

  /** The move is complete on both sides. */
  async settle(offerId: string, move: PlaceMove): Promise<void> {
    await this.offers.updateOne({ _id: offerId }, { $pullAll: { 'places.moves': [move] } });
  }

  /** Frees the place an enrolment holds, with the move and place offer that went with it. */
  async releasePlace(
    offerId: string,
    id: string,
    done: { move?: PlaceMove; offered?: HeldOffer } = {},
  ): Promise<boolean> {
    const pulls = {
      ...(done.move ? { 'places.moves': [done.move] } : {}),
      ...(done.offered ? { 'places.offered': [done.offered] } : {}),
    };
    const released = await this.offers.updateOne(
      { _id: offerId, 'places.holders': id },
      { $inc: { 'places.free': 1 }, $pullAll: { 'places.holders': [id], ...pulls } },
    );
    if (released.modifiedCount === 0 && Object.keys(pulls).length) {
      await this.offers.updateOne({ _id: offerId }, { $pullAll: pulls });
    }
    return released.modifiedCount === 1;
  }

  /** Puts a waitlisted enrolment at the end of the queue (once), completing its move. */
  async enqueue(offerId: string, move: PlaceMove): Promise<void> {
    const queued = await this.offers.updateOne(
      { _id: offerId, 'places.waiting': { $ne: move.id }, 'places.holders': { $ne: move.id } },
      { $push: { 'places.waiting': move.id }, $pullAll: { 'places.moves': [move] } },
    );
    if (queued.modifiedCount === 0) await this.settle(offerId, move);
  }

  async leaveWaitlist(offerId: string, id: string): Promise<void> {
    await this.offers.updateOne({ _id: offerId }, { $pullAll: { 'places.waiting': [id] } });
  }

  /** A place offer ended (accepted, declined or expired): its entry goes. */
  async closeHeldOffer(offerId: string, offered: HeldOffer): Promise<void> {
    await this.offers.updateOne({ _id: offerId }, { $pullAll: { 'places.offered': [offered] } });
  }

  async holds(offerId: string, enrolmentId: string): Promise<boolean> {
    return (
      (await this.offers.countDocuments({ _id: offerId, 'places.holders': enrolmentId }, { limit: 1 })) === 1
    );
  }

  /** Offers with moves or place offers to look at (a handful: the offers collection is small). */
  withOpenMoves(): Promise<OfferDocument[]> {
    return this.offers
      .find({ $or: [{ 'places.moves.0': { $exists: true } }, { 'places.offered.0': { $exists: true } }] })
      .toArray();
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
