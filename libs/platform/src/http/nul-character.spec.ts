import { jsonHasNul, refuseNulInJson, refuseNulInUrl } from './nul-character';

describe('NUL character', () => {
  it('is found escaped inside a JSON string, or raw, and not in an escaped backslash before u0000', () => {
    expect(jsonHasNul(Buffer.from('{"name":"a\\u0000b"}'))).toBe(true);
    expect(jsonHasNul(Buffer.from('{"name":"a\u0000b"}'))).toBe(true);
    expect(jsonHasNul(Buffer.from('{"name":"a\\\\u0000b"}'))).toBe(false);
    expect(jsonHasNul(Buffer.from('{"name":"a\\u0001b","other":"\\"u0000"}'))).toBe(false);
  });

  it('refuses such a body, or a path or query with %00, with a 400 error the problem filter exposes', () => {
    const refused = expect.objectContaining({ status: 400, expose: true });
    expect(() => refuseNulInJson({} as never, {} as never, Buffer.from('["\\u0000"]'))).toThrow(refused);
    expect(() => refuseNulInJson({} as never, {} as never, Buffer.from('["x"]'))).not.toThrow();
    const next = jest.fn();
    refuseNulInUrl({ url: '/grids/%00?x=1' } as never, {} as never, next);
    refuseNulInUrl({ url: '/grids/a?x=%2500' } as never, {} as never, next);
    expect(next.mock.calls).toEqual([[refused], [undefined]]);
  });
});
