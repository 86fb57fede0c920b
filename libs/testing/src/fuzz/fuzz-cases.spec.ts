import { exampleOf, fuzzCases } from './fuzz-cases';
import { OpenApiDocument, operationsOf } from './openapi';
import { hashString, mulberry32, shuffle } from './random';

const document: OpenApiDocument = {
  paths: {
    '/offers/{id}/capacity': {
      patch: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: {
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Capacity' } } },
        },
      },
    },
    '/enrolments': {
      get: { parameters: [{ name: 'offerId', in: 'query', required: true, schema: { type: 'string' } }] },
      post: {
        parameters: [
          { name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } },
          { name: 'Authorization', in: 'header', schema: { type: 'string' } },
        ],
      },
    },
  },
  components: {
    schemas: {
      Capacity: {
        type: 'object',
        required: ['capacity', 'reason', 'from'],
        properties: {
          capacity: { type: 'integer', minimum: 0, maximum: 500 },
          reason: { type: 'string', maxLength: 200 },
          from: { type: 'string', format: 'date' },
          groups: { type: 'array', items: { $ref: '#/components/schemas/Group' } },
        },
      },
      Group: {
        type: 'object',
        required: ['label'],
        properties: { label: { type: 'string', enum: ['bebes', 'grands'] } },
      },
    },
  },
};
const [patchCapacity, listEnrolments, submitEnrolment] = operationsOf(document);

describe('mulberry32', () => {
  it('gives the same sequence for the same seed, another for another seed, in [0, 1)', () => {
    const take = (seed: number) => Array.from({ length: 5 }, mulberry32(seed));
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
    for (const value of take(7)) expect(value >= 0 && value < 1).toBe(true);
  });

  it('shuffles reproducibly and keeps every item', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    expect(shuffle(items, mulberry32(1))).toEqual(shuffle(items, mulberry32(1)));
    expect([...shuffle(items, mulberry32(1))].sort((a, b) => a - b)).toEqual(items);
    expect(hashString('GET /a')).not.toBe(hashString('GET /b'));
  });
});

describe('exampleOf', () => {
  it('builds a body with the required fields, following $ref', () => {
    expect(exampleOf(document, { $ref: '#/components/schemas/Capacity' })).toEqual({
      capacity: 0,
      reason: 'fuzz',
      from: '2026-09-07',
    });
  });
});

describe('fuzzCases', () => {
  const cases = fuzzCases(document, patchCapacity, {
    seed: 7,
    maxPerOperation: 200,
    pathValues: { id: 'offer-1' },
  });
  const byLabel = (label: string) => cases.find((c) => c.label === label);

  it('is reproducible for a seed, ordered otherwise for another, and bounded', () => {
    const again = fuzzCases(document, patchCapacity, {
      seed: 7,
      maxPerOperation: 200,
      pathValues: { id: 'offer-1' },
    });
    expect(again).toEqual(cases);
    const other = fuzzCases(document, patchCapacity, {
      seed: 8,
      maxPerOperation: 200,
      pathValues: { id: 'offer-1' },
    });
    expect(other.map((c) => c.label)).not.toEqual(cases.map((c) => c.label));
    expect(fuzzCases(document, patchCapacity, { seed: 7, maxPerOperation: 12 })).toHaveLength(12);
  });

  it('takes every kind of mistake in turn when bounded', () => {
    const few = fuzzCases(document, patchCapacity, { seed: 7, maxPerOperation: 10 }).map((c) => c.label);
    expect(few.some((l) => l.startsWith('path id'))).toBe(true);
    expect(few.some((l) => l.startsWith('invalid JSON') || l.startsWith('body is'))).toBe(true);
    expect(few.some((l) => l.endsWith(': missing') || l.endsWith(': null'))).toBe(true);
    expect(few.some((l) => l.endsWith(': wrong type'))).toBe(true);
  });

  it('marks the requests that are wrong whatever the rules as to be refused', () => {
    expect(byLabel('body.capacity: missing')).toMatchObject({
      mustRefuse: true,
      body: '{"reason":"fuzz","from":"2026-09-07"}',
    });
    expect(byLabel('body.capacity: wrong type')).toMatchObject({ mustRefuse: true });
    expect(JSON.parse(byLabel('body.capacity: wrong type')?.body ?? '{}').capacity).toBe('not a number');
    expect(byLabel('body.capacity: fractional')).toMatchObject({ mustRefuse: true });
    expect(byLabel('body.capacity: negative')).toMatchObject({ mustRefuse: true });
    expect(byLabel('body.reason: huge string')).toMatchObject({ mustRefuse: true });
    expect(byLabel('body.from: not a date')).toMatchObject({ mustRefuse: true });
    expect(byLabel('unknown field')).toMatchObject({ mustRefuse: true });
    expect(byLabel('invalid JSON: cut short')).toMatchObject({
      mustRefuse: true,
      body: '{"a":',
      contentType: 'application/json',
    });
    expect(byLabel('content type text/plain')).toMatchObject({ mustRefuse: true, contentType: 'text/plain' });
  });

  it('reaches nested fields of lists', () => {
    expect(byLabel('body.groups.0.label: not in the enum')).toMatchObject({ mustRefuse: true });
    expect(JSON.parse(byLabel('body.groups.0.label: missing')?.body ?? '{}').groups).toEqual([{}]);
  });

  it('puts odd path values in the URL and keeps known ones elsewhere', () => {
    expect(byLabel('path id = %00')?.url).toBe('/offers/%00/capacity');
    expect(byLabel('body.capacity: missing')?.url).toBe('/offers/offer-1/capacity');
  });

  it("fuzzes the operation's own headers, never Authorization", () => {
    const headers = fuzzCases(document, submitEnrolment, { seed: 1 }).flatMap((c) =>
      Object.keys(c.headers ?? {}),
    );
    expect(headers).toContain('Idempotency-Key');
    expect(headers).not.toContain('Authorization');
  });

  it('fuzzes query parameters, a missing required one to be refused', () => {
    const queries = fuzzCases(document, listEnrolments, { seed: 1 });
    expect(queries.find((c) => c.label === 'query offerId missing')).toMatchObject({
      mustRefuse: true,
      url: '/enrolments',
    });
    expect(queries.find((c) => c.label === 'query offerId = -1')?.url).toBe('/enrolments?offerId=-1');
    expect(queries.every((c) => c.body === undefined)).toBe(true);
  });
});
