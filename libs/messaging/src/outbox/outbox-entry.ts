import { Schema } from 'mongoose';
import {
  createEnvelope,
  EventDefinition,
  NewEvent,
  toKafkaRecord,
  validatePayload,
} from '@guichet/contracts';
import type { TopicRecord } from '../kafka/record-publisher';

/**
 * An event waiting in its aggregate's document to be published: the Kafka record as it will be sent,
 * so the relay needs no knowledge of the event and the stored form never depends on payload keys.
 */
export interface OutboxEntry extends TopicRecord {
  /** The event id (CloudEvents `id`). */
  id: string;
}

/** The fields an aggregate document gains to hold its pending events. */
export interface OutboxFields {
  outbox?: OutboxEntry[];
  /**
   * Set while events are pending, unset with the last one: the relay searches by this equality, the
   * one kind of condition every store answers from an index (FerretDB pushes no range down).
   */
  outboxPending?: true;
  /** When the oldest pending event was written; unset when none is pending. The relay's order. */
  outboxSince?: Date;
  /** Until when one relay instance holds this document's events. */
  outboxLease?: Date;
}

export class InvalidEventError extends Error {}

/**
 * Builds the pending entry of an event, validating its data with the contract's rules first: an
 * invalid event is a bug in the writer and must fail the write, not reach the consumers.
 */
export function outboxEntry<T extends object>(
  source: string,
  definition: EventDefinition<T>,
  event: Omit<NewEvent<T>, 'type'>,
): OutboxEntry {
  const result = validatePayload(definition, event.data);
  if (!result.ok) {
    const fields = result.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new InvalidEventError(`${definition.type} is invalid: ${fields}`);
  }
  const envelope = createEnvelope(source, { ...event, type: definition.type });
  return { id: envelope.id, topic: definition.topic, ...toKafkaRecord(envelope) };
}

type UpdateDocument = Record<string, unknown> & {
  $set?: Record<string, unknown>;
  $push?: Record<string, unknown>;
  $min?: Record<string, unknown>;
};

/**
 * Adds pending events to a MongoDB update of the aggregate, so the state change and its events are
 * written by one single-document operation: atomic without multi-document transactions.
 */
export function withEvents<U extends UpdateDocument>(update: U, entries: OutboxEntry[], now = new Date()): U {
  if (entries.length === 0) return update;
  return {
    ...update,
    $set: { ...update.$set, outboxPending: true },
    $push: { ...update.$push, outbox: { $each: entries } },
    $min: { ...update.$min, outboxSince: now },
  };
}

/** The same for a document inserted with its first events. */
export function newDocumentWithEvents<D extends object>(
  document: D,
  entries: OutboxEntry[],
  now = new Date(),
): D & OutboxFields {
  return entries.length === 0
    ? document
    : { ...document, outbox: entries, outboxPending: true, outboxSince: now };
}

/**
 * The outbox fields for a Mongoose schema. An aggregate written through a Mongoose model must declare
 * them: in strict mode Mongoose silently drops `$push.outbox` of an undeclared path, and the events
 * with it. Writing through the model's native collection (`Model.collection`) avoids the question.
 */
export const OUTBOX_SCHEMA_FIELDS = {
  outbox: { type: [Schema.Types.Mixed], default: undefined },
  outboxPending: { type: Boolean },
  outboxSince: { type: Date },
  outboxLease: { type: Date },
} as const;
