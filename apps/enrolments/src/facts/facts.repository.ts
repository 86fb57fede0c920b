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
export interface HouseholdFactsDocument {
  _id: string;
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
