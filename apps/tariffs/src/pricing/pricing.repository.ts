import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import { OutboxEntry, OutboxFields, withEvents } from '@guichet/messaging';
import type { HouseholdFacts } from '@guichet/tariff-engine';

/** What tariffs knows of a household, from accounts' events: only what prices depend on. */
export interface HouseholdFactsDocument {
  _id: string;
  resident?: boolean;
  /** Every QF record, dated: a price from a date uses the record in force on that date. */
  qfRecords?: QfRecord[];
  /** Every set of PSU inputs (crèches), dated like QF records. */
  psuRecords?: PsuRecord[];
}

/** What a crèche's PSU price is computed from, from a date. */
export interface PsuRecord {
  psuInputsId: string;
  annualResourcesCents: number;
  dependentChildren: number;
  aeehChildren: number;
  appliesFrom: string;
}

export interface QfRecord {
  qfRecordId: string;
  qf: number;
  appliesFrom: string;
}

/** The record in force on a date (YYYY-MM-DD): the latest that applies from that date or before. */
export function inForce<T extends { appliesFrom: string }>(
  records: T[] | undefined,
  date: string,
): T | undefined {
  let found: T | undefined;
  for (const record of records ?? []) {
    if (record.appliesFrom <= date && (!found || record.appliesFrom >= found.appliesFrom)) found = record;
  }
  return found;
}

export const qfInForce = (household: HouseholdFactsDocument | null, date: string): QfRecord | undefined =>
  inForce(household?.qfRecords, date);

export const psuInForce = (household: HouseholdFactsDocument | null, date: string): PsuRecord | undefined =>
  inForce(household?.psuRecords, date);

/**
 * What a quote of this enrolment on a date needs: the household's QF and PSU inputs in force then,
 * its residency, and the enrolment's own facts.
 */
export function enrolmentFacts(
  enrolment: Pick<EnrolmentPriceDocument, 'childRank' | 'pai' | 'contractHoursPerYear'>,
  household: HouseholdFactsDocument | null,
  date: string,
): HouseholdFacts {
  const psu = psuInForce(household, date);
  return {
    qf: qfInForce(household, date)?.qf,
    resident: household?.resident ?? true,
    childRank: enrolment.childRank,
    pai: enrolment.pai,
    ...(psu && {
      annualResourcesCents: psu.annualResourcesCents,
      dependentChildren: psu.dependentChildren,
      aeehChildren: psu.aeehChildren,
    }),
    ...(enrolment.contractHoursPerYear !== undefined && {
      contractHoursPerYear: enrolment.contractHoursPerYear,
    }),
  };
}

/** A price from a date until the next segment's date. `unpriced` says why there is none. */
export interface PriceSegment {
  from: string;
  gridVersion?: number;
  unitPriceCents?: number;
  qfRecordId?: string;
  psuInputsId?: string;
  /** Crèches: the monthly price of the care contract. */
  monthlyContractCents?: number;
  resident: boolean;
  unpriced?: string;
}

/** An accepted enrolment and its prices over time. */
export interface EnrolmentPriceDocument extends OutboxFields {
  _id: string;
  householdId: string;
  gridId: string;
  childRank: number;
  pai: boolean;
  /** Crèches: hours per year of the care contract, for its monthly price. */
  contractHoursPerYear?: number;
  startsOn: string;
  /** Last day of a cancelled enrolment: no price is computed after it. */
  endsOn?: string;
  /** Sorted by date; the last one applies until further notice. */
  prices: PriceSegment[];
  /** The last events applied to this document, so a redelivered one changes nothing. */
  handledEvents: string[];
}

const HANDLED_EVENTS_KEPT = 50;

@Injectable()
export class PricingRepository implements OnModuleInit {
  private readonly households: mongo.Collection<HouseholdFactsDocument>;
  private readonly enrolments: mongo.Collection<EnrolmentPriceDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.households = connection.collection<HouseholdFactsDocument>('household_facts');
    this.enrolments = connection.collection<EnrolmentPriceDocument>('enrolment_prices');
  }

  async onModuleInit(): Promise<void> {
    await this.enrolments.createIndex({ householdId: 1 }, { name: 'household' });
    await this.enrolments.createIndex({ gridId: 1 }, { name: 'grid' });
  }

  household(id: string): Promise<HouseholdFactsDocument | null> {
    return this.households.findOne({ _id: id });
  }

  async setResidency(id: string, resident: boolean): Promise<void> {
    await this.households.updateOne({ _id: id }, { $set: { resident } }, { upsert: true });
  }

  /** Adds a QF record once (a redelivered one is already there). */
  async addQfRecord(id: string, record: QfRecord): Promise<void> {
    try {
      await this.households.updateOne(
        { _id: id, 'qfRecords.qfRecordId': { $ne: record.qfRecordId } },
        { $push: { qfRecords: record } },
        { upsert: true },
      );
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error; // the household has this record already
    }
  }

  /** Adds a set of PSU inputs once (a redelivered one is already there). */
  async addPsuRecord(id: string, record: PsuRecord): Promise<void> {
    try {
      await this.households.updateOne(
        { _id: id, 'psuRecords.psuInputsId': { $ne: record.psuInputsId } },
        { $push: { psuRecords: record } },
        { upsert: true },
      );
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error; // the household has these inputs already
    }
  }

  enrolmentsOfHousehold(householdId: string): Promise<EnrolmentPriceDocument[]> {
    return this.enrolments.find({ householdId }).limit(1_000).toArray();
  }

  enrolmentsOfGrid(gridId: string): Promise<EnrolmentPriceDocument[]> {
    return this.enrolments.find({ gridId }).toArray();
  }

  /** The facts of many households at once (application-side join: no $lookup on the local store). */
  async householdsById(ids: string[]): Promise<Map<string, HouseholdFactsDocument>> {
    const found = await this.households.find({ _id: { $in: [...new Set(ids)] } }).toArray();
    return new Map(found.map((household) => [household._id, household]));
  }

  /**
   * Records an enrolment's prices and their events in one single-document write, unless this event
   * was applied already (a redelivery): then nothing changes and false is returned.
   */
  async savePrices(
    enrolment: Omit<EnrolmentPriceDocument, 'handledEvents' | 'prices'>,
    prices: PriceSegment[],
    eventId: string,
    events: OutboxEntry[],
  ): Promise<boolean> {
    const { _id, ...fields } = enrolment;
    try {
      const result = await this.enrolments.updateOne(
        { _id, handledEvents: { $ne: eventId } },
        withEvents(
          {
            $set: { ...fields, prices },
            $push: { handledEvents: { $each: [eventId], $slice: -HANDLED_EVENTS_KEPT } },
          },
          events,
        ),
        { upsert: true },
      );
      return result.modifiedCount + result.upsertedCount === 1;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false; // the document has this event already
      throw error;
    }
  }

  /** A cancelled enrolment is priced no more after its last day; false for a redelivered event. */
  async endEnrolment(id: string, endsOn: string, eventId: string): Promise<boolean> {
    const result = await this.enrolments.updateOne(
      { _id: id, handledEvents: { $ne: eventId } },
      { $set: { endsOn }, $push: { handledEvents: { $each: [eventId], $slice: -HANDLED_EVENTS_KEPT } } },
    );
    return result.modifiedCount === 1;
  }

  /** GDPR erasure: what tariffs knows of the household goes; its enrolments' prices stay, anonymous. */
  async eraseHousehold(householdId: string): Promise<void> {
    await this.households.deleteOne({ _id: householdId });
    await this.enrolments.updateMany({ householdId }, { $set: { householdId: 'erased' } });
  }

  findEnrolment(id: string): Promise<EnrolmentPriceDocument | null> {
    return this.enrolments.findOne({ _id: id });
  }
}
