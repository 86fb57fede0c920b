import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import { newDocumentWithEvents, OutboxEntry, OutboxFields, withEvents } from '@guichet/messaging';

export interface Child {
  childId: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  pai: boolean;
  aeeh: boolean;
}

/** A quotient familial record: dated, never overwritten. */
export interface QfRecord {
  qfRecordId: string;
  value: number;
  source: 'caf' | 'msa' | 'declaration' | 'municipal';
  referenceMonth?: string;
  appliesFrom: string;
  recordedBy: string;
  recordedAt: Date;
}

/** The family file (foyer): one document, so a change and its events are one atomic write. */
export interface HouseholdDocument extends OutboxFields {
  _id: string;
  ownerUserId: string;
  resident: boolean;
  children: Child[];
  qfRecords: QfRecord[];
  /** Set by a GDPR erasure: the personal data is gone, only the id stays for the events' sake. */
  erasedAt?: Date;
  /** Incremented by every change; the events' `sequence`. */
  version: number;
  createdAt: Date;
}

export type HouseholdState = Omit<HouseholdDocument, keyof OutboxFields>;

@Injectable()
export class HouseholdRepository {
  private readonly collection: mongo.Collection<HouseholdDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.collection = connection.collection<HouseholdDocument>('households');
  }

  find(id: string): Promise<HouseholdState | null> {
    return this.collection.findOne(
      { _id: id },
      { projection: { outbox: 0, outboxSince: 0, outboxLease: 0 } },
    );
  }

  /** Creates the household once; false when it exists already (a retried registration). */
  async create(household: HouseholdState, events: OutboxEntry[]): Promise<boolean> {
    try {
      await this.collection.insertOne(newDocumentWithEvents(household, events));
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }

  /** Writes the next version if nobody wrote since `version` was read; false otherwise. */
  async replace(household: HouseholdState, events: OutboxEntry[]): Promise<boolean> {
    const { _id, version, ...state } = household;
    const result = await this.collection.updateOne(
      { _id, version: version - 1 },
      withEvents({ $set: { ...state, version } }, events),
    );
    return result.modifiedCount === 1;
  }
}
