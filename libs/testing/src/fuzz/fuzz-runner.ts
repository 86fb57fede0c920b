import { fuzzCases, FuzzCase, FuzzOptions } from './fuzz-cases';
import { OpenApiDocument, Operation, operationsOf } from './openapi';

export interface FuzzTarget {
  baseUrl: string;
  document: OpenApiDocument;
  /**
   * Bearer tokens to try, in order: each operation is fuzzed with the first one its documented
   * request is not refused with 401 or 403 (so the malformed requests reach validation).
   */
  tokens: string[];
  /** A picture of the service's data; it must be the same after the requests the service refused. */
  state: () => Promise<unknown>;
  seed: number;
  maxPerOperation?: number;
  pathValues?: FuzzOptions['pathValues'];
  /** Operations left out (health, documentation: no input to speak of). */
  skip?: (operation: Operation) => boolean;
  /**
   * Operations whose answer is a verdict on the body (`POST /grids/validate`: 200 with the problems):
   * only bodies that are not JSON must be refused; the rest is checked for 5xx and problem+json.
   */
  verdicts?: (operation: Operation) => boolean;
}

export interface FuzzReport {
  operations: number;
  requests: number;
  /** Everything wrong, one line each: 5xx, a 4xx that is not problem+json, a malformed request accepted, a refused one that changed data. */
  problems: string[];
  /** How many answers of each status: most should be 400 (validation reached), not 401 or 403. */
  statuses: Record<number, number>;
  /**
   * The same per operation (`PUT /households/{id}/preferences`…), the token probe included: an
   * operation answered only 401, 403 or 404 was not exercised (no token or path id fitted).
   */
  byOperation: Record<string, Record<number, number>>;
  /** Requests the service accepted (2xx) that were odd but allowed by the schema, for the reader. */
  accepted: string[];
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Sends every operation of an OpenAPI document its malformed requests (see fuzzCases) and checks the
 * answers: never 5xx, every 4xx as application/problem+json, requests wrong whatever the rules
 * refused, and nothing changed by the refused ones (the state is compared before and after each
 * operation's refused batch).
 */
export async function fuzzService(target: FuzzTarget): Promise<FuzzReport> {
  const report: FuzzReport = {
    operations: 0,
    requests: 0,
    problems: [],
    accepted: [],
    statuses: {},
    byOperation: {},
  };
  for (const operation of operationsOf(target.document)) {
    if (target.skip?.(operation)) continue;
    report.operations++;
    const cases = fuzzCases(target.document, operation, {
      seed: target.seed,
      maxPerOperation: target.maxPerOperation,
      pathValues: target.pathValues,
    });
    const name = `${operation.method} ${operation.path}`;
    const [probe, ...rest] = [
      ...cases.filter((c) => c.label.startsWith('the example')),
      ...cases.filter((c) => !c.label.startsWith('the example')),
    ];
    const token = await chooseToken(target, name, probe, report);
    if (target.verdicts?.(operation)) {
      for (const fuzzCase of rest) fuzzCase.mustRefuse &&= !isJson(fuzzCase.body);
    }
    // Wrong whatever the rules first, then the odd-but-maybe-allowed: a batch with nothing accepted
    // must leave the data as it was.
    for (const batch of [rest.filter((c) => c.mustRefuse), rest.filter((c) => !c.mustRefuse)]) {
      const before = await target.state();
      let acceptedAny = false;
      for (const fuzzCase of batch) {
        const answer = await send(target.baseUrl, fuzzCase, token);
        count(report, name, answer.status);
        const problem = judge(fuzzCase, answer);
        if (problem) report.problems.push(`${name} [${fuzzCase.label}]: ${problem}`);
        if (answer.status < 400) {
          acceptedAny = true;
          if (!fuzzCase.mustRefuse) report.accepted.push(`${name} [${fuzzCase.label}]: ${answer.status}`);
        }
      }
      if (!acceptedAny && batch.length > 0) {
        const after = await target.state();
        if (JSON.stringify(after) !== JSON.stringify(before)) {
          report.problems.push(
            `${name}: refused requests changed data: ${JSON.stringify(difference(before, after))}`,
          );
        }
      }
    }
  }
  return report;
}

function isJson(text: string | undefined): boolean {
  try {
    JSON.parse(text ?? '');
    return true;
  } catch {
    return false;
  }
}

interface Answer {
  status: number;
  type: string;
  text: string;
}

/** What is wrong with an answer, if anything. */
function judge(fuzzCase: FuzzCase, answer: Answer): string | undefined {
  if (answer.status === 0) return answer.text;
  if (answer.status >= 500) return `${answer.status} ${answer.text.slice(0, 300)}`;
  if (answer.status >= 400 && !answer.type.startsWith('application/problem+json')) {
    return `${answer.status} as ${answer.type || 'no content type'}: ${answer.text.slice(0, 200)}`;
  }
  if (fuzzCase.mustRefuse && answer.status < 400) return `accepted with ${answer.status}`;
  return undefined;
}

function count(report: FuzzReport, operation: string, status: number): void {
  report.requests++;
  report.statuses[status] = (report.statuses[status] ?? 0) + 1;
  const statuses = (report.byOperation[operation] ??= {});
  statuses[status] = (statuses[status] ?? 0) + 1;
}

async function chooseToken(
  target: FuzzTarget,
  operation: string,
  probe: FuzzCase,
  report: FuzzReport,
): Promise<string | undefined> {
  for (const token of target.tokens) {
    const answer = await send(target.baseUrl, probe, token);
    count(report, operation, answer.status);
    if (answer.status !== 401 && answer.status !== 403) return token;
  }
  return target.tokens[0];
}

async function send(baseUrl: string, fuzzCase: FuzzCase, token?: string): Promise<Answer> {
  const headers: Record<string, string> = { ...fuzzCase.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  if (fuzzCase.contentType) headers['content-type'] = fuzzCase.contentType;
  try {
    const response = await fetch(`${baseUrl}${fuzzCase.url}`, {
      method: fuzzCase.method,
      headers,
      // Bytes rather than a string, so that fetch adds no content type of its own.
      body: fuzzCase.body === undefined ? undefined : new TextEncoder().encode(fuzzCase.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
  } catch (error) {
    return { status: 0, type: '', text: `no answer: ${(error as Error).message}` };
  }
}

/** The top-level keys whose values differ, to say which collection changed. */
function difference(before: unknown, after: unknown): Record<string, unknown> {
  if (typeof before !== 'object' || typeof after !== 'object' || !before || !after) return { before, after };
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return Object.fromEntries(
    keys
      .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
      .map((k) => [k, { before: a[k], after: b[k] }]),
  );
}
