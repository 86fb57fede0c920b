import { randomUUID } from 'node:crypto';

/** CloudEvents 1.0 spec version carried by every Guichet event. */
export const SPEC_VERSION = '1.0';

/**
 * A Guichet event: CloudEvents 1.0 context attributes, the `correlationid` / `causationid` extensions
 * that follow a request into the events it causes, and the `sequence` extension: the position of the
 * event in its aggregate's history (1, 2, 3 …), so a projection can ignore anything it already applied.
 */
export interface EventEnvelope<T = unknown> {
  id: string;
  source: string;
  type: string;
  specversion: typeof SPEC_VERSION;
  time: string;
  /** The aggregate the event is about (household id, enrolment id, grid id); also the Kafka key. */
  subject: string;
  datacontenttype: 'application/json';
  correlationid: string;
  causationid?: string;
  sequence?: number;
  data: T;
}

export interface NewEvent<T> {
  type: string;
  subject: string;
  data: T;
  correlationId?: string;
  causationId?: string;
  sequence?: number;
}

/** Builds an envelope with a fresh id and the current time. */
export function createEnvelope<T>(
  source: string,
  event: NewEvent<T>,
  now: Date = new Date(),
): EventEnvelope<T> {
  const id = randomUUID();
  return {
    id,
    source,
    type: event.type,
    specversion: SPEC_VERSION,
    time: now.toISOString(),
    subject: event.subject,
    datacontenttype: 'application/json',
    correlationid: event.correlationId ?? id,
    ...(event.causationId ? { causationid: event.causationId } : {}),
    ...(event.sequence !== undefined ? { sequence: event.sequence } : {}),
    data: event.data,
  };
}
