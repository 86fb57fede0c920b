import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import { DOCUMENT_STATUSES, DOCUMENT_TYPES } from '@guichet/contracts';
import { OutboxEntry, OutboxFields, withEvents } from '@guichet/messaging';
import { replaceVersion } from '../versioned-write';

export type DocumentType = (typeof DOCUMENT_TYPES)[number];
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** A document of a family file: its metadata and check; the file itself is in the DocumentStorage. */
export interface HouseholdDocumentRecord extends OutboxFields {
  _id: string;
  householdId: string;
  documentType: DocumentType;
  status: DocumentStatus;
  /** YYYY-MM-DD; the document is valid through validUntil (Europe/Paris). */
  validFrom?: string;
  validUntil?: string;
  /** Why an agent rejected it, for the family. */
  reason?: string;
  contentType: string;
  size: number;
  storageKey: string;
  uploadedBy: string;
  uploadedAt: Date;
  reviewedBy?: string;
  reviewedAt?: Date;
  /** When its status last changed (retention counts from there). */
  statusSince: Date;
  version: number;
  /**
   * Set while the file is being written: the record comes first, so a crash before the file is
   * announced leaves a record the purge finds (with its file, if written), never a file nobody knows.
   */
  storing?: true;
}

export type DocumentState = Omit<HouseholdDocumentRecord, keyof OutboxFields>;

const WITHOUT_OUTBOX = { projection: { outbox: 0, outboxPending: 0, outboxSince: 0, outboxLease: 0 } };
/** Documents whose file is stored and announced: the only ones anybody sees. */
const STORED = { storing: { $exists: false } };

@Injectable()
export class DocumentsRepository implements OnModuleInit {
  private readonly collection: mongo.Collection<HouseholdDocumentRecord>;

  constructor(@InjectConnection() connection: Connection) {
    this.collection = connection.collection<HouseholdDocumentRecord>('documents');
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ householdId: 1 }, { name: 'household' });
    await this.collection.createIndex({ status: 1, validUntil: 1 }, { name: 'status_valid_until' });
  }

  /** Records a document whose file is about to be written (see `storing`). */
  async insertStoring(document: DocumentState): Promise<void> {
    await this.collection.insertOne({ ...document, storing: true });
  }

  /** The file is written: the document becomes visible, with its events, in one write. */
  async stored(id: string, events: OutboxEntry[]): Promise<void> {
    await this.collection.updateOne(
      { _id: id, storing: true },
      withEvents({ $unset: { storing: true as const } }, events),
    );
  }

  find(householdId: string, id: string): Promise<DocumentState | null> {
    return this.collection.findOne({ _id: id, householdId, ...STORED }, WITHOUT_OUTBOX);
  }

  listOf(householdId: string): Promise<DocumentState[]> {
    return this.collection
      .find({ householdId, ...STORED }, WITHOUT_OUTBOX)
      .sort({ uploadedAt: 1 })
      .toArray();
  }

  /** Every record of a household, files being stored included (erasure). */
  allOf(householdId: string): Promise<DocumentState[]> {
    return this.collection.find({ householdId }, WITHOUT_OUTBOX).toArray();
  }

  /** Uploads a crash cut short: records still `storing` since before a date. */
  unfinishedSince(before: Date, limit = 500): Promise<DocumentState[]> {
    return this.collection
      .find({ storing: true, uploadedAt: { $lt: before } }, WITHOUT_OUTBOX)
      .limit(limit)
      .toArray();
  }

  /** Writes the next version with its events if nobody wrote meanwhile; false otherwise. */
  replace(document: DocumentState, events: OutboxEntry[]): Promise<boolean> {
    return replaceVersion(this.collection, document, events);
  }

  /** Pending or accepted documents whose last valid day is before `today`. */
  dueToExpire(today: string, limit = 500): Promise<DocumentState[]> {
    return this.collection
      .find(
        { status: { $in: ['pending', 'accepted'] }, validUntil: { $lt: today }, ...STORED },
        WITHOUT_OUTBOX,
      )
      .limit(limit)
      .toArray();
  }

  /** Documents in a status since before a date, whose events are out (retention). */
  inStatusSince(status: DocumentStatus, before: Date, limit = 500): Promise<DocumentState[]> {
    return this.collection
      .find(
        { status, statusSince: { $lt: before }, outboxSince: { $exists: false }, ...STORED },
        WITHOUT_OUTBOX,
      )
      .limit(limit)
      .toArray();
  }

  async delete(id: string): Promise<void> {
    await this.collection.deleteOne({ _id: id });
  }
}
