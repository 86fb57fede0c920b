import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The NUL character (U+0000) is refused with 400 wherever a request carries it (path, query, JSON
 * body), before any handler runs. No Guichet value needs it, and the store keeps none: FerretDB's
 * data rules forbid it, and on PostgreSQL jsonb cannot hold it, so a lookup by such an id answered
 * 500 there. MongoDB would store it; refusing it costs nothing there either.
 */
export const NUL_REFUSED = 'The request contains the NUL character (U+0000), which no field accepts.';

const refusal = () =>
  Object.assign(new Error(NUL_REFUSED), { status: 400, expose: true, type: 'entity.nul' });

/** Whether a JSON text holds a NUL, escaped (\u0000) inside a string or raw. Runs on the raw bytes. */
export function jsonHasNul(buffer: Buffer): boolean {
  let inString = false;
  for (let i = 0; i < buffer.length; i++) {
    const byte = buffer[i];
    if (byte === 0x00) return true;
    if (!inString) {
      if (byte === 0x22) inString = true;
    } else if (byte === 0x22) {
      inString = false;
    } else if (byte === 0x5c) {
      if (buffer.toString('latin1', i + 1, i + 6) === 'u0000') return true;
      i++; // the escaped character
    }
  }
  return false;
}

/** For the JSON body parser's `verify`. */
export function refuseNulInJson(_request: IncomingMessage, _response: ServerResponse, buffer: Buffer): void {
  if (jsonHasNul(buffer)) throw refusal();
}

/** Express middleware: a NUL in the path or the query string, percent-encoded (%00). */
export function refuseNulInUrl(
  request: IncomingMessage,
  _response: ServerResponse,
  next: (error?: unknown) => void,
) {
  next((request.url ?? '').includes('%00') ? refusal() : undefined);
}
