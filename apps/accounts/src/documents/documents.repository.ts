import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import { DOCUMENT_STATUSES, DOCUMENT_TYPES } from '@guichet/contracts';
import { newDocumentWithEvents, OutboxEntry, OutboxFields } from '@guichet/messaging';
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
}

export type DocumentState = Omit<HouseholdDocumentRecord, keyof OutboxFields>;

const WITHOUT_OUTBOX = { projection: { outbox: 0, outboxPending: 0, outboxSince: 0, outboxLease: 0 } };

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

  async insert(document: DocumentState, events: OutboxEntry[]): Promise<void> {
    await this.collection.insertOne(newDocumentWithEvents(document, events));
  }

  find(householdId: string, id: string): Promise<DocumentState | null> {
    return this.collection.findOne({ _id: id, householdId }, WITHOUT_OUTBOX);
  }

  listOf(householdId: string): Promise<DocumentState[]> {
    return this.collection.find({ householdId }, WITHOUT_OUTBOX).sort({ uploadedAt: 1 }).toArray();
  }

  /** Writes the next version with its events if nobody wrote meanwhile; false otherwise. */
  replace(document: DocumentState, events: OutboxEntry[]): Promise<boolean> {
    return replaceVersion(this.collection, document, events);
  }

  /** Pending or accepted documents whose last valid day is before `today`. */
  dueToExpire(today: string, limit = 500): Promise<DocumentState[]> {
    return this.collection
      .find({ status: { $in: ['pending', 'accepted'] }, validUntil: { $lt: today } }, WITHOUT_OUTBOX)
      .limit(limit)
      .toArray();
  }

  /** Documents in a status since before a date, whose events are out (retention). */
  inStatusSince(status: DocumentStatus, before: Date, limit = 500): Promise<DocumentState[]> {
    return this.collection
      .find({ status, statusSince: { $lt: before }, outboxSince: { $exists: false } }, WITHOUT_OUTBOX)
      .limit(limit)
      .toArray();
  }

  async delete(id: string): Promise<void> {
    await this.collection.deleteOne({ _id: id });
  }
}
