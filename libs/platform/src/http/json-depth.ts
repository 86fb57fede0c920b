import type { IncomingMessage, ServerResponse } from 'node:http';

/** Deeper than any Guichet body (a grid is about 8 levels), far below what would exhaust the stack. */
export const MAX_JSON_DEPTH = 64;

/**
 * How deeply a JSON text nests objects and arrays, stopping as soon as it passes `limit`. Brackets
 * inside strings do not count. Runs on the raw bytes before parsing.
 */
export function jsonDepthExceeds(buffer: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buffer.length; i++) {
    const byte = buffer[i];
    if (inString) {
      if (byte === 0x5c)
        i++; // backslash: the next byte is escaped
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > limit) return true;
    } else if (byte === 0x7d || byte === 0x5d) depth--;
  }
  return false;
}

/**
 * For the JSON body parser's `verify`: a body nested deeper than MAX_JSON_DEPTH is refused with 400
 * before parsing. Validation and class-transformer walk bodies recursively, so thousands of levels
 * would overflow the stack and answer 500.
 */
export function refuseDeepJson(_request: IncomingMessage, _response: ServerResponse, buffer: Buffer): void {
  if (jsonDepthExceeds(buffer, MAX_JSON_DEPTH)) {
    throw Object.assign(new Error(`The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`), {
      status: 400,
      type: 'entity.too.deep',
    });
  }
}
