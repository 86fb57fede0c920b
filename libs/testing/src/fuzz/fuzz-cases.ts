import { jsonBodySchema, OpenApiDocument, OpenApiSchema, Operation, resolve } from './openapi';
import { hashString, mulberry32, shuffle } from './random';

/** One malformed request. */
export interface FuzzCase {
  /** What is wrong with it, e.g. `body.capacity: wrong type`. */
  label: string;
  /** Its kind: path, query, syntax, content type, unknown fields, missing, wrong type, values, baseline. */
  category: string;
  /**
   * The request is wrong whatever the service's rules (invalid JSON, a required field missing, a
   * field of the wrong type, an unknown field): it must be refused with a 4xx. Other cases (a huge
   * string, a negative number, an odd id) may be accepted when the schema allows them, but never 5xx.
   */
  mustRefuse: boolean;
  method: string;
  /** Path with its parameters filled in and the query string, e.g. `/grids/a%2Fb?x=1`. */
  url: string;
  contentType?: string;
  /** Headers of the operation's own (an Idempotency-Key…), never Authorization or Content-Type. */
  headers?: Record<string, string>;
  body?: string;
}

export interface FuzzOptions {
  seed: number;
  /** At most this many cases per operation (the categories take turns, so each is represented). */
  maxPerOperation?: number;
  /**
   * A real value for a path parameter (an existing grid's id…), so that body checks run past the 404;
   * by name, or by name and path when one name means different things (`/offers/{id}`, `/sites/{id}`).
   */
  pathValues?: Record<string, string> | ((name: string, path: string) => string | undefined);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Path parameter values that have broken routers and databases before. */
const ODD_PATH_VALUES = [
  '..',
  '%2e%2e%2f%2e%2e',
  '%00',
  "'%20OR%20'1'%3D'1",
  '%7B%22%24gt%22%3A%22%22%7D', // {"$gt":""}
  '%24where',
  '-1',
  '1e309',
  '99999999999999999999999',
  '%F0%9F%98%80',
  '%E0%A4%A', // broken percent-encoding
  '%20',
  'x'.repeat(2_000),
];

/** Header values fetch can send (Latin-1, no line breaks) that a header's reader may not expect. */
const ODD_HEADER_VALUES = ['', ' ', 'x'.repeat(8_000), '{"$gt":""}', '../../etc/passwd', '%00', '-1', 'é'];

const ODD_QUERY_VALUES = [
  '',
  '-1',
  'null',
  '[object Object]',
  '%00',
  'x'.repeat(5_000),
  '2026-02-30',
  '%24ne',
];

/** How big a string must be to be called huge: well past any field's reasonable length. */
const HUGE = 20_000;

/** A plausible value for a schema: the base the mutations start from. */
export function exampleOf(document: OpenApiDocument, input: OpenApiSchema | undefined, depth = 0): Json {
  const schema = resolve(document, input);
  if (schema.example !== undefined) return schema.example as Json;
  if (schema.enum?.length) return schema.enum[0] as Json;
  switch (schema.type) {
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array': {
      if (depth > 4) return [];
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () =>
        exampleOf(document, schema.items, depth + 1),
      );
    }
    case 'string':
      return stringExample(schema);
    default: {
      if (!schema.properties || depth > 4) return {};
      const object: Record<string, Json> = {};
      for (const name of schema.required ?? []) {
        object[name] = exampleOf(document, schema.properties[name], depth + 1);
      }
      return object;
    }
  }
}

function stringExample(schema: OpenApiSchema): string {
  if (schema.format === 'date') return '2026-09-07';
  if (schema.format === 'date-time') return '2026-09-07T08:00:00.000Z';
  if (schema.format === 'email') return 'fuzz@example.org';
  return 'fuzz'.padEnd(schema.minLength ?? 4, 'z');
}

/** A field of a body reached from its root: its place, its schema, whether its parent requires it. */
interface Field {
  path: (string | number)[];
  schema: OpenApiSchema;
  required: boolean;
}

/** The fields of a body, objects and first array items included, a few levels down. */
function fieldsOf(document: OpenApiDocument, schema: OpenApiSchema, path: (string | number)[] = []): Field[] {
  if (path.length > 6) return [];
  const fields: Field[] = [];
  if (schema.type === 'array' && schema.items) {
    const item = resolve(document, schema.items);
    fields.push(
      { path: [...path, 0], schema: item, required: true },
      ...fieldsOf(document, item, [...path, 0]),
    );
  }
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const resolved = resolve(document, child);
    const field = {
      path: [...path, name],
      schema: resolved,
      required: (schema.required ?? []).includes(name),
    };
    fields.push(field, ...fieldsOf(document, resolved, field.path));
  }
  return fields;
}

/** A copy of `root` with the value at `path` replaced (or removed with `undefined`), creating parents. */
function withValue(root: Json, path: (string | number)[], value: Json | undefined): Json {
  const copy = structuredClone(root);
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') {
      node[key] = typeof path[path.indexOf(key) + 1] === 'number' ? [] : {};
    }
    node = node[key] as Record<string | number, Json>;
  }
  const last = path[path.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** A value of another JSON type than the schema's, which no conversion can turn into the right one. */
function wrongTypeFor(schema: OpenApiSchema): Json | undefined {
  if (schema.enum) return 123_456;
  switch (schema.type) {
    case 'string':
      return schema.format ? { not: 'a string' } : ['not', 'a', 'string'];
    case 'integer':
    case 'number':
      return 'not a number';
    case 'boolean':
      return 'not a boolean';
    case 'array':
      return 'not a list';
    case 'object':
      return 'not an object';
    default:
      return schema.properties ? 'not an object' : undefined;
  }
}

interface Category {
  name: string;
  cases: FuzzCase[];
}

/**
 * The malformed requests of one operation: bodies that are not JSON, not an object, of the wrong
 * content type; each required field missing or null; each field of the wrong type; unknown and
 * prototype-polluting fields; huge strings; numbers out of range; bad dates; values out of enums;
 * path parameters and query values with odd characters. Deterministic for a seed.
 */
export function fuzzCases(document: OpenApiDocument, target: Operation, options: FuzzOptions): FuzzCase[] {
  const random = mulberry32(options.seed ^ hashString(`${target.method} ${target.path}`));
  const parameters = (target.operation.parameters ?? []).filter((p) => p.in === 'path' || p.in === 'query');
  const pathParameters = parameters.filter((p) => p.in === 'path');
  const queryParameters = parameters.filter((p) => p.in === 'query');
  const headerParameters = (target.operation.parameters ?? []).filter(
    (p) => p.in === 'header' && !/^(authorization|content-type)$/i.test(p.name),
  );

  const validPath = (overrides: Record<string, string> = {}) =>
    target.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      if (name in overrides) return overrides[name];
      const values = options.pathValues;
      const known = typeof values === 'function' ? values(name, target.path) : values?.[name];
      if (known !== undefined) return encodeURIComponent(known);
      const example = exampleOf(document, parameters.find((p) => p.name === name)?.schema);
      return encodeURIComponent(String(example ?? 'fuzz'));
    });
  const validQuery: Record<string, string> = Object.fromEntries(
    queryParameters.filter((p) => p.required).map((p) => [p.name, String(exampleOf(document, p.schema))]),
  );
  const url = (path: string, query: Record<string, string> = validQuery) => {
    const search = Object.entries(query)
      .map(([k, v]) => `${encodeURIComponent(k)}=${v.startsWith('%') ? v : encodeURIComponent(v)}`)
      .join('&');
    return search ? `${path}?${search}` : path;
  };

  const schema = jsonBodySchema(document, target.operation);
  const takesBody = schema !== undefined;
  const base: Json = takesBody ? exampleOf(document, schema) : null;
  /** A request with the documented path and query and, when given, a JSON body. */
  const request = (label: string, mustRefuse: boolean, body?: Json): FuzzCase => ({
    label,
    category: '',
    mustRefuse,
    method: target.method,
    url: url(validPath()),
    ...(body === undefined ? {} : { contentType: 'application/json', body: JSON.stringify(body) }),
  });
  const jsonText = (value: Json) => JSON.stringify(value);

  const categories: Category[] = [];
  const add = (name: string, cases: FuzzCase[]) =>
    cases.length > 0 &&
    categories.push({
      name,
      cases: shuffle(
        cases.map((c) => ({ ...c, category: name })),
        random,
      ),
    });

  add(
    'path',
    pathParameters.flatMap((p) =>
      ODD_PATH_VALUES.map((value) => ({
        ...request(`path ${p.name} = ${value.slice(0, 40)}`, false, takesBody ? base : undefined),
        url: url(validPath({ [p.name]: value })),
      })),
    ),
  );
  add(
    'query',
    queryParameters.flatMap((p) => [
      ...ODD_QUERY_VALUES.map((value) => ({
        ...request(`query ${p.name} = ${value.slice(0, 40)}`, false),
        url: url(validPath(), { ...validQuery, [p.name]: value }),
      })),
      ...(p.required
        ? [{ ...request(`query ${p.name} missing`, true), url: url(validPath(), omit(validQuery, p.name)) }]
        : []),
    ]),
  );

  add(
    'header',
    headerParameters.flatMap((p) =>
      ODD_HEADER_VALUES.map((value) => ({
        ...request(`header ${p.name} = ${value.slice(0, 40)}`, false, takesBody ? base : undefined),
        headers: { [p.name]: value },
      })),
    ),
  );

  if (takesBody) {
    const bodySchema = schema as OpenApiSchema;
    const requiresSomething = (bodySchema.required ?? []).length > 0;
    const raw = (label: string, mustRefuse: boolean, body: string, contentType = 'application/json') => ({
      ...request(label, mustRefuse),
      contentType,
      body,
    });
    add('syntax', [
      raw('invalid JSON: cut short', true, '{"a":'),
      raw('invalid JSON: trailing comma', true, '{"a": 1,}'),
      raw('invalid JSON: single quotes', true, "{'a': 1}"),
      raw('invalid JSON: bare word', true, 'nul'),
      raw('body is a JSON string', true, '"text"'),
      raw('body is a JSON number', true, '42'),
      raw('body is JSON null', true, 'null'),
      raw('body is empty', requiresSomething, ''),
      raw('body is a list', bodySchema.type !== 'array', jsonText([base])),
      raw('deeply nested body', true, '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000)),
    ]);
    add('content type', [
      raw('content type text/plain', requiresSomething, jsonText(base), 'text/plain'),
      raw('content type form', requiresSomething, 'a=1&b=2', 'application/x-www-form-urlencoded'),
      raw('content type xml', requiresSomething, '<a>1</a>', 'application/xml'),
      raw('JSON in an unknown charset', true, jsonText(base), 'application/json; charset=klingon'),
      { ...request('no content type', requiresSomething), body: jsonText(base), contentType: undefined },
    ]);
    add('unknown fields', [
      request('unknown field', true, withValue(base, ['unexpectedField'], 1)),
      raw(
        // class-transformer drops __proto__ and constructor (its guard against prototype pollution)
        // rather than refusing them: ignored, which is harmless, so they may be accepted.
        '__proto__ field',
        false,
        jsonText(base).replace(/^\{/, '{"__proto__":{"admin":true},').replace(',}', '}'),
      ),
      request('constructor field', false, withValue(base, ['constructor'], { prototype: { admin: true } })),
      request('$where field', true, withValue(base, ['$where'], 'sleep(1000)')),
    ]);

    const fields = fieldsOf(document, bodySchema);
    add(
      'missing',
      fields
        .filter((f) => f.required)
        .flatMap((f) => [
          // A list item cannot be missing, only null.
          ...(typeof f.path[f.path.length - 1] === 'number'
            ? []
            : [request(`body.${f.path.join('.')}: missing`, true, withValue(base, f.path, undefined))]),
          request(`body.${f.path.join('.')}: null`, true, withValue(base, f.path, null)),
        ]),
    );
    add(
      'wrong type',
      fields.flatMap((f) => {
        const wrong = wrongTypeFor(f.schema);
        return wrong === undefined
          ? []
          : [request(`body.${f.path.join('.')}: wrong type`, true, withValue(base, f.path, wrong))];
      }),
    );
    add(
      'values',
      fields.flatMap((f) =>
        valueCases(f).map(([label, mustRefuse, value]) =>
          request(`body.${f.path.join('.')}: ${label}`, mustRefuse, withValue(base, f.path, value)),
        ),
      ),
    );
  } else if (target.method !== 'GET' && target.method !== 'DELETE') {
    add('syntax', [
      {
        ...request('invalid JSON on an operation without a body', false),
        contentType: 'application/json',
        body: '{"a":',
      },
    ]);
  }
  add('baseline', [
    request('the example request with its path and query as documented', false, takesBody ? base : undefined),
  ]);
  return roundRobin(categories, options.maxPerOperation ?? 40);
}

/** Values of the right type that are wrong or extreme: refused when the schema says so. */
function valueCases(field: Field): [string, boolean, Json][] {
  const { schema } = field;
  const cases: [string, boolean, Json][] = [];
  if (schema.enum) cases.push(['not in the enum', true, 'not-in-enum']);
  if (schema.type === 'string') {
    cases.push(['huge string', schema.maxLength !== undefined && schema.maxLength < HUGE, 'x'.repeat(HUGE)]);
    cases.push(['empty string', schema.minLength !== undefined && schema.minLength > 0, '']);
    cases.push(['control characters', false, 'a\u0000b\u202e\uffff']);
    if (schema.format === 'date' || schema.format === 'date-time') {
      cases.push(['not a date', true, 'not-a-date']);
      cases.push(['31 February', false, '2026-02-31']);
      cases.push(['month 13', true, '2026-13-01T25:61:00Z']);
    }
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    cases.push(['negative', schema.minimum !== undefined && schema.minimum >= 0, -1]);
    cases.push(['huge', schema.maximum !== undefined, 1e21]);
    cases.push(['beyond safe integers', schema.maximum !== undefined, 2 ** 53 + 2]);
    if (schema.type === 'integer') cases.push(['fractional', true, 1.5]);
  }
  if (schema.type === 'array') {
    cases.push(['empty list', (schema.minItems ?? 0) > 0, []]);
    cases.push(['list of nulls', true, [null, null]]);
  }
  return cases;
}

/** The categories take turns, so a bounded run still tries every kind of mistake. */
function roundRobin(categories: Category[], max: number): FuzzCase[] {
  const picked: FuzzCase[] = [];
  for (let round = 0; picked.length < max; round++) {
    const before = picked.length;
    for (const category of categories) {
      if (round < category.cases.length && picked.length < max) picked.push(category.cases[round]);
    }
    if (picked.length === before) break;
  }
  return picked;
}

function omit(record: Record<string, string>, key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => name !== key));
}
