/** Headers the consumer adds when it moves a record to its retry or dead-letter topic. */
export const RetryHeaders = {
  attempt: 'x-guichet-attempt',
  notBefore: 'x-guichet-not-before',
  originalTopic: 'x-guichet-original-topic',
  originalPartition: 'x-guichet-original-partition',
  originalOffset: 'x-guichet-original-offset',
  error: 'x-guichet-error',
  deadLetterReason: 'x-guichet-dead-letter-reason',
} as const;

export type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

export function readHeader(headers: RawHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value?.toString();
}

/** Kafka delivers headers as buffers; producers take strings. */
export function stringHeaders(headers: RawHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = readHeader(headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
