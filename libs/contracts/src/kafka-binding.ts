import { EventEnvelope, SPEC_VERSION } from './envelope';

/** A Kafka record in the shape every producer sends: key, value, headers. */
export interface KafkaRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** What a consumer gets back from Kafka: headers and value may be buffers. */
export interface IncomingKafkaRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

const ATTRIBUTE_HEADERS = [
  'id',
  'source',
  'type',
  'specversion',
  'time',
  'subject',
  'correlationid',
  'causationid',
] as const;

/**
 * CloudEvents Kafka protocol binding, binary content mode: attributes travel as `ce_` headers, the
 * data as the record value, and the key is the event's subject (the aggregate id) so one aggregate's
 * events stay in one partition, in order.
 */
export function toKafkaRecord(envelope: EventEnvelope): KafkaRecord {
  const headers: Record<string, string> = { 'content-type': envelope.datacontenttype };
  for (const name of ATTRIBUTE_HEADERS) {
    const value = envelope[name];
    if (value !== undefined) headers[`ce_${name}`] = value;
  }
  if (envelope.sequence !== undefined) headers.ce_sequence = String(envelope.sequence);
  return { key: envelope.subject, value: JSON.stringify(envelope.data), headers };
}

export class MalformedEventError extends Error {}

function header(record: IncomingKafkaRecord, name: string): string | undefined {
  const raw = record.headers?.[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined ? undefined : value.toString();
}

/** Reads a record written by {@link toKafkaRecord}; throws {@link MalformedEventError} on anything else. */
export function fromKafkaRecord(record: IncomingKafkaRecord): EventEnvelope {
  const required = (name: string): string => {
    const value = header(record, `ce_${name}`);
    if (!value) throw new MalformedEventError(`missing CloudEvents attribute ce_${name}`);
    return value;
  };
  const specversion = required('specversion');
  if (specversion !== SPEC_VERSION) throw new MalformedEventError(`unsupported specversion ${specversion}`);
  let data: unknown;
  try {
    data = JSON.parse(record.value?.toString() ?? 'null');
  } catch {
    throw new MalformedEventError('the record value is not JSON');
  }
  const sequence = header(record, 'ce_sequence');
  const causationid = header(record, 'ce_causationid');
  const envelope: EventEnvelope = {
    id: required('id'),
    source: required('source'),
    type: required('type'),
    specversion: SPEC_VERSION,
    time: required('time'),
    subject: required('subject'),
    datacontenttype: 'application/json',
    correlationid: required('correlationid'),
    data,
  };
  if (causationid) envelope.causationid = causationid;
  if (sequence !== undefined) {
    const parsed = Number(sequence);
    if (!Number.isSafeInteger(parsed) || parsed < 1)
      throw new MalformedEventError(`bad sequence ${sequence}`);
    envelope.sequence = parsed;
  }
  return envelope;
}
