import { jsonDepthExceeds, MAX_JSON_DEPTH, refuseDeepJson } from './json-depth';

const nested = (levels: number) => Buffer.from('['.repeat(levels) + ']'.repeat(levels));

describe('JSON depth limit', () => {
  it('measures objects and arrays, not brackets inside strings', () => {
    expect(jsonDepthExceeds(Buffer.from('{"a":[{"b":1}]}'), 3)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from('{"a":[{"b":[1]}]}'), 3)).toBe(true);
    expect(jsonDepthExceeds(Buffer.from('{"a":"[[[[{{{{\\"[[[["}'), 1)).toBe(false);
  });

  it('refuses a body deeper than the limit with a 400 error, and lets the limit itself through', () => {
    expect(() => refuseDeepJson({} as never, {} as never, nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => refuseDeepJson({} as never, {} as never, nested(MAX_JSON_DEPTH + 1))).toThrow(
      expect.objectContaining({ status: 400 }),
    );
  });
});
