import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { DocumentFacts } from '../domain/eligibility';

export interface ChildFactsDocument {
  birthDate: string;
  pai: boolean;
  aeeh: boolean;
}

export interface QfFacts {
  qfRecordId: string;
  qf: number;
  appliesFrom: string;
}

/**
 * What enrolments knows of a household, from accounts' events: only what eligibility and price
 * previews need (residency, children's birth dates and PAI, documents' types, statuses and validity, QF).
 */
/** A place the household holds, so a sibling's rank and the sibling priority need no query. */
export interface PlacedFacts {
  service: string;
  siteId: string;
  offerId: string;
}

export interface HouseholdFactsDocument {
  _id: string;
  /** The household's accepted enrolments, by enrolment id (kept by enrolments itself). */
  placed?: Record<string, PlacedFacts>;
  resident?: boolean;
  children?: Record<string, ChildFactsDocument>;
  documents?: Record<string, DocumentFacts>;
  qfRecords?: QfFacts[];
}

@Injectable()
export class FactsRepository {
  private readonly households: mongo.Collection<HouseholdFactsDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.households = connection.collection<HouseholdFactsDocument>('household_facts');
  }

  household(id: string): Promise<HouseholdFactsDocument | null> {
    return this.households.findOne({ _id: id });
  }

  /** The facts of many households at once (application-side join: no $lookup on the local store). */
  async householdsById(ids: string[]): Promise<Map<string, HouseholdFactsDocument>> {
    const found = await this.households.find({ _id: { $in: [...new Set(ids)] } }).toArray();
    return new Map(found.map((facts) => [facts._id, facts]));
  }

  /** Each fact is set by its own path: events of one household arrive in order, and setting twice is harmless. */
  async set(householdId: string, fields: Record<string, unknown>): Promise<void> {
    await this.households.updateOne({ _id: householdId }, { $set: fields }, { upsert: true });
  }

  async addQfRecord(householdId: string, record: QfFacts): Promise<void> {
    try {
      await this.households.updateOne(
        { _id: householdId, 'qfRecords.qfRecordId': { $ne: record.qfRecordId } },
        { $push: { qfRecords: record } },
        { upsert: true },
      );
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error; // recorded already
    }
  }

  async place(householdId: string, enrolmentId: string, placed: PlacedFacts): Promise<void> {
    await this.households.updateOne({ _id: householdId }, { $set: { [`placed.${enrolmentId}`]: placed } });
  }

  async unplace(householdId: string, enrolmentId: string): Promise<void> {
    await this.households.updateOne({ _id: householdId }, { $unset: { [`placed.${enrolmentId}`]: '' } });
  }

  async erase(householdId: string): Promise<void> {
    await this.households.deleteOne({ _id: householdId });
  }
}

/** The QF record in force on a date: the latest that applies from that date or before. */
export function qfOn(facts: HouseholdFactsDocument | null, date: string): QfFacts | undefined {
  return (facts?.qfRecords ?? [])
    .filter((record) => record.appliesFrom <= date)
    .sort((a, b) => a.appliesFrom.localeCompare(b.appliesFrom))
    .at(-1);
}

/** The rank of a child in a service among the household's places (1 = first child), for sibling prices. */
export function childRank(
  facts: HouseholdFactsDocument | null,
  service: string,
  exceptEnrolmentId: string,
): number {
  const others = Object.entries(facts?.placed ?? {}).filter(
    ([id, p]) => id !== exceptEnrolmentId && p.service === service,
  );
  return others.length + 1;
}

/** Whether a brother or sister already holds a place at the site (in another offer). */
export function siblingAtSite(
  facts: HouseholdFactsDocument | null,
  siteId: string,
  offerId: string,
): boolean {
  return Object.values(facts?.placed ?? {}).some((p) => p.siteId === siteId && p.offerId !== offerId);
}
