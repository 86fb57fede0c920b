import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '@guichet/auth';
import { DocumentStatusChanged } from '@guichet/contracts';
import { EventOutbox, OutboxEntry } from '@guichet/messaging';
import { ProblemException } from '@guichet/platform';
import { HouseholdChanges } from '../households/household-changes';
import { todayInParis } from '../paris-calendar';
import { DocumentStorage } from './document-storage';
import { DocumentState, DocumentStatus, DocumentsRepository } from './documents.repository';
import { ReviewDocumentDto, UploadDocumentDto } from './dto/document.dto';
import { sniffFileType } from './file-signature';

/** A document as callers see it: its `id`, no storage key, and the status as of today. */
export type DocumentView = Omit<DocumentState, 'storageKey' | '_id'> & { id: string };

const documentNotFound = () =>
  new ProblemException(HttpStatus.NOT_FOUND, { detail: 'Document introuvable.' });

/** Past its last valid day, a pending or accepted document is expired, even before the sweep records it. */
export function statusOn(
  document: Pick<DocumentState, 'status' | 'validUntil'>,
  today: string,
): DocumentStatus {
  const running = document.status === 'pending' || document.status === 'accepted';
  return running && document.validUntil !== undefined && document.validUntil < today
    ? 'expired'
    : document.status;
}

/**
 * Documents attached to the household once and reused by every service: upload (type checked by its
 * bytes), agents' review, expiry. Each status change is one write with its DocumentStatusChanged.
 */
@Injectable()
export class DocumentsService {
  private readonly logger = new Logger(DocumentsService.name);

  constructor(
    private readonly households: HouseholdChanges,
    private readonly documents: DocumentsRepository,
    private readonly storage: DocumentStorage,
    private readonly outbox: EventOutbox,
  ) {}

  /**
   * Stores the file, then its metadata with the `pending` event. A refused file stores nothing; a
   * crash between the two leaves a file no metadata names, which the retention purge ignores.
   */
  async upload(
    principal: Principal,
    householdId: string,
    body: UploadDocumentDto,
    file?: Buffer,
  ): Promise<DocumentView> {
    await this.households.get(principal, householdId);
    if (!file) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, {
        detail: 'Joignez le fichier du document.',
        errors: [{ field: 'file', message: 'file is required (multipart/form-data)' }],
      });
    }
    if (body.validFrom && body.validUntil && body.validUntil < body.validFrom) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, {
        detail: 'La fin de validité précède son début.',
        errors: [{ field: 'validUntil', message: 'validUntil must not be before validFrom' }],
      });
    }
    const fileType = sniffFileType(file);
    if (!fileType) {
      throw new ProblemException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, {
        detail: 'Le document doit être un PDF, une image JPEG ou PNG.',
        errors: [{ field: 'file', message: 'file must be a PDF, JPEG or PNG' }],
      });
    }
    const id = randomUUID();
    const now = new Date();
    const document: DocumentState = {
      _id: id,
      householdId,
      documentType: body.documentType,
      status: 'pending',
      ...(body.validFrom ? { validFrom: body.validFrom } : {}),
      ...(body.validUntil ? { validUntil: body.validUntil } : {}),
      contentType: fileType.contentType,
      size: file.length,
      storageKey: `${householdId}/${id}`,
      uploadedBy: principal.subject,
      uploadedAt: now,
      statusSince: now,
      version: 1,
    };
    await this.documents.insertStoring(document);
    try {
      await this.storage.put(document.storageKey, file);
    } catch (error) {
      await this.documents.delete(document._id);
      throw error;
    }
    await this.documents.stored(document._id, [this.statusEvent(document)]);
    this.outbox.published('documents', document._id);
    return this.view(document);
  }

  async list(principal: Principal, householdId: string): Promise<DocumentView[]> {
    await this.households.get(principal, householdId);
    return (await this.documents.listOf(householdId)).map((d) => this.view(d));
  }

  async get(principal: Principal, householdId: string, id: string): Promise<DocumentView> {
    return this.view(await this.find(principal, householdId, id));
  }

  async content(
    principal: Principal,
    householdId: string,
    id: string,
  ): Promise<{ bytes: Buffer; contentType: string; fileName: string }> {
    const document = await this.find(principal, householdId, id);
    const bytes = await this.storage.get(document.storageKey);
    if (!bytes) throw documentNotFound();
    const extension = sniffFileType(bytes)?.extension ?? 'bin';
    return {
      bytes,
      contentType: document.contentType,
      fileName: `${document.documentType}-${id}.${extension}`,
    };
  }

  /** An agent's check: accepted, or rejected with the reason the family reads. Only a pending document. */
  async review(
    principal: Principal,
    householdId: string,
    id: string,
    body: ReviewDocumentDto,
  ): Promise<DocumentView> {
    const document = await this.find(principal, householdId, id);
    const current = statusOn(document, todayInParis());
    if (current !== 'pending') {
      throw new ProblemException(HttpStatus.CONFLICT, {
        detail: `Ce document n’est plus en attente (statut : ${current}).`,
      });
    }
    const reviewed: DocumentState = {
      ...document,
      status: body.decision,
      reviewedBy: principal.subject,
      reviewedAt: new Date(),
      statusSince: new Date(),
      version: document.version + 1,
    };
    if (body.decision === 'rejected') reviewed.reason = body.reason;
    else delete reviewed.reason;
    if (!(await this.documents.replace(reviewed, [this.statusEvent(reviewed)]))) {
      throw new ProblemException(HttpStatus.CONFLICT, {
        detail: 'Le document a changé entre-temps : réessayez.',
      });
    }
    this.outbox.published('documents', reviewed._id);
    return this.view(reviewed);
  }

  /** The sweep: records the expiry of documents past their last valid day, each with its event. */
  async expireDue(now = new Date()): Promise<number> {
    let expired = 0;
    for (const document of await this.documents.dueToExpire(todayInParis(now))) {
      const next: DocumentState = {
        ...document,
        status: 'expired',
        statusSince: now,
        version: document.version + 1,
      };
      // Lost to a concurrent review: the next sweep sees it again.
      if (await this.documents.replace(next, [this.statusEvent(next)])) {
        expired++;
        this.outbox.published('documents', next._id);
      }
    }
    return expired;
  }

  /** Retention: documents in a final status for long enough go, file and metadata. */
  async purge(status: 'rejected' | 'expired', before: Date): Promise<number> {
    const documents = await this.documents.inStatusSince(status, before);
    for (const document of documents) await this.remove(document);
    return documents.length;
  }

  /** Uploads a crash cut short (the record, and the file if it was written), an hour on. */
  async purgeUnfinished(before: Date): Promise<number> {
    const documents = await this.documents.unfinishedSince(before);
    for (const document of documents) await this.remove(document);
    return documents.length;
  }

  /** GDPR erasure of a household: every document goes (no event: HouseholdErased tells everyone). */
  async eraseHousehold(householdId: string): Promise<void> {
    for (const document of await this.documents.allOf(householdId)) await this.remove(document);
  }

  private async remove(document: DocumentState): Promise<void> {
    await this.storage.delete(document.storageKey);
    await this.documents.delete(document._id);
    this.logger.log(`document ${document._id} deleted (${document.status})`);
  }

  private async find(principal: Principal, householdId: string, id: string): Promise<DocumentState> {
    await this.households.get(principal, householdId);
    const document = await this.documents.find(householdId, id);
    if (!document) throw documentNotFound();
    return document;
  }

  private view(document: DocumentState): DocumentView {
    const { _id, storageKey, ...visible } = document; // where the file lies is nobody's business
    return { id: _id, ...visible, status: statusOn(document, todayInParis()) };
  }

  private statusEvent(document: DocumentState): OutboxEntry {
    return this.outbox.entry(DocumentStatusChanged, {
      subject: document.householdId,
      data: {
        householdId: document.householdId,
        documentId: document._id,
        documentType: document.documentType,
        status: document.status,
        ...(document.validFrom ? { validFrom: document.validFrom } : {}),
        ...(document.validUntil ? { validUntil: document.validUntil } : {}),
        ...(document.reason ? { reason: document.reason } : {}),
      },
    });
  }
}
