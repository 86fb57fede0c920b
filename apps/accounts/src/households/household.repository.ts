import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import { newDocumentWithEvents, OutboxEntry, OutboxFields } from '@guichet/messaging';
import { replaceVersion } from '../versioned-write';

export interface Child {
  childId: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  pai: boolean;
  aeeh: boolean;
  /** Where known: the school and class the child attends (kept here; events carry no names). */
  school?: string;
  schoolClass?: string;
}

/** A legal guardian (responsable légal) with the contact details and whether they pay the bills. */
export interface Guardian {
  guardianId: string;
  firstName: string;
  lastName: string;
  relationship?: string;
  email?: string;
  /** E.164, e.g. +33612345678. */
  phone?: string;
  /** Pays the household's bills (the payer of invoices). */
  pays: boolean;
}

/** Where the household's notices go (the notifications service hears of it through HouseholdContactChanged). */
export interface Contact {
  email?: string;
  phone?: string;
}

export interface Consents {
  /** The family agrees that its QF be fetched from the CAF or MSA (API Particulier). */
  cafDataSharing: boolean;
  emailNotices: boolean;
  smsNotices: boolean;
}

/** The household's CAF or MSA file (numéro d'allocataire). */
export interface Allocataire {
  organisme: 'caf' | 'msa';
  number: string;
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
  /** How a computed value was reached (municipal computation), for the family and the agents. */
  computation?: object;
}

/** The inputs of a crèche's PSU price (participation familiale), dated like QF records and never overwritten. */
export interface PsuInputs {
  psuInputsId: string;
  /** The year the resources were computed for. */
  year: number;
  annualResourcesCents: number;
  dependentChildren: number;
  aeehChildren: number;
  source: 'caf' | 'declaration' | 'agent';
  appliesFrom: string;
  recordedBy: string;
  recordedAt: Date;
}

/** The family file (foyer): one document, so a change and its events are one atomic write. */
export interface HouseholdDocument extends OutboxFields {
  _id: string;
  ownerUserId: string;
  resident: boolean;
  guardians: Guardian[];
  contact: Contact;
  consents: Consents;
  allocataire: Allocataire | null;
  children: Child[];
  qfRecords: QfRecord[];
  psuInputs: PsuInputs[];
  /** Set by a GDPR erasure: the personal data is gone, only the id stays for the events' sake. */
  erasedAt?: Date;
  /** Incremented by every change; the events' `sequence`. */
  version: number;
  createdAt: Date;
}

export type HouseholdState = Omit<HouseholdDocument, keyof OutboxFields>;

export const NO_CONSENTS: Consents = { cafDataSharing: false, emailNotices: false, smsNotices: false };

/** Households written before a field existed read as if it had its empty value. */
function withDefaults(household: HouseholdState): HouseholdState {
  return {
    ...household,
    guardians: household.guardians ?? [],
    contact: household.contact ?? {},
    consents: { ...NO_CONSENTS, ...household.consents },
    allocataire: household.allocataire ?? null,
    psuInputs: household.psuInputs ?? [],
  };
}

@Injectable()
export class HouseholdRepository {
  private readonly collection: mongo.Collection<HouseholdDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.collection = connection.collection<HouseholdDocument>('households');
  }

  async find(id: string): Promise<HouseholdState | null> {
    const household = await this.collection.findOne(
      { _id: id },
      { projection: { outbox: 0, outboxPending: 0, outboxSince: 0, outboxLease: 0 } },
    );
    return household && withDefaults(household);
  }

  /** Erased households older than `before`: their tombstones may go (retention). */
  async deleteErasedBefore(before: Date): Promise<number> {
    const result = await this.collection.deleteMany({
      erasedAt: { $lt: before },
      outboxSince: { $exists: false }, // never before HouseholdErased is out
    });
    return result.deletedCount;
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

  /** Writes the next version with its events if nobody wrote meanwhile; false otherwise. */
  replace(household: HouseholdState, events: OutboxEntry[]): Promise<boolean> {
    return replaceVersion(this.collection, household, events);
  }
}
