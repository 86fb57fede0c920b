// What families do during the bench: submissions (retried on 503 with their Idempotency-Key, as a
// family's browser does) and the reads of their family space at each service; every answer recorded.
import type { ServiceName } from '@guichet/testing';
import { sleep } from './platform';

export interface Answer {
  status: number; // 0: no answer (connection refused or reset, or no answer within the time limit)
  retryAfter?: string;
  body?: unknown;
}

export interface RecordedCall {
  service: ServiceName;
  route: string;
  status: number;
  retryAfter: boolean;
  at: number;
}

const CALL_TIMEOUT_MS = 30_000;

/** Every call the families make, with its status and whether a 503 said when to come back. */
export class CallRecorder {
  readonly calls: RecordedCall[] = [];

  async call(
    service: ServiceName,
    route: string,
    url: string,
    init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const answer = await fetchAnswer(url, init);
    this.calls.push({
      service,
      route,
      status: answer.status,
      retryAfter: answer.retryAfter !== undefined,
      at: Date.now(),
    });
    return answer;
  }
}

async function fetchAnswer(
  url: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> },
): Promise<Answer> {
  try {
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers: {
        'content-type': 'application/json',
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, retryAfter: response.headers.get('retry-after') ?? undefined, body };
  } catch {
    return { status: 0 };
  }
}

export interface BenchFamily {
  email: string;
  password: string;
  householdId: string;
  childId: string;
  token: string;
  refreshToken: string;
  /** The refresh in progress: a refresh token is good once, so a family's calls share one. */
  refreshing?: Promise<boolean>;
}

export interface SubmissionOutcome {
  family: BenchFamily;
  offerId: string;
  idempotencyKey: string;
  startedAt: number;
  answeredAt?: number;
  enrolmentId?: string;
  outcome?: string;
  finalStatus?: number;
  attempts: number;
}

type Urls = Record<ServiceName, string>;

/** Whether an answer means "come back later": 503 (dependency down) or no answer (service down). */
const worthRetrying = (status: number) => status === 0 || status === 502 || status === 503 || status === 504;

/**
 * A family's session, as its browser keeps it: a 401 (the 15-minute access token ran out) refreshes
 * the tokens once (POST /auth/refresh) and the call is made again.
 */
async function withSession(
  recorder: CallRecorder,
  urls: Urls,
  family: BenchFamily,
  run: () => Promise<Answer>,
): Promise<Answer> {
  const sentWith = family.token;
  const answer = await run();
  if (answer.status !== 401) return answer;
  if (family.token === sentWith) {
    family.refreshing ??= refresh(recorder, urls, family).finally(() => (family.refreshing = undefined));
    if (!(await family.refreshing)) return answer;
  }
  return run();
}

async function refresh(recorder: CallRecorder, urls: Urls, family: BenchFamily): Promise<boolean> {
  const answer = await recorder.call('accounts', 'POST /auth/refresh', `${urls.accounts}/auth/refresh`, {
    method: 'POST',
    body: { refreshToken: family.refreshToken },
  });
  if (answer.status !== 200 && answer.status !== 201) return false;
  const tokens = answer.body as { accessToken: string; refreshToken: string };
  [family.token, family.refreshToken] = [tokens.accessToken, tokens.refreshToken];
  return true;
}

/**
 * Submits one enrolment and retries it with the same Idempotency-Key while the answer is a 503 or
 * none, waiting what Retry-After says (at most 5 s), until `giveUpAt`.
 */
export async function submitWithRetries(
  recorder: CallRecorder,
  urls: Urls,
  submission: SubmissionOutcome,
  giveUpAt: () => number,
): Promise<void> {
  for (;;) {
    submission.attempts += 1;
    const answer = await withSession(recorder, urls, submission.family, () =>
      recorder.call('enrolments', 'POST /enrolments', `${urls.enrolments}/enrolments`, {
        method: 'POST',
        token: submission.family.token,
        headers: { 'idempotency-key': submission.idempotencyKey },
        body: { childId: submission.family.childId, offerId: submission.offerId },
      }),
    );
    submission.finalStatus = answer.status;
    if (answer.status === 201) {
      const body = answer.body as { id: string; status: string };
      [submission.enrolmentId, submission.outcome, submission.answeredAt] = [
        body.id,
        body.status,
        Date.now(),
      ];
      return;
    }
    if (!worthRetrying(answer.status) || Date.now() > giveUpAt()) return;
    await sleep(Math.min(5, Number(answer.retryAfter ?? 1) || 1) * 1000);
  }
}

/** The reads of a family space: who am I, the offers for my child, the grid, my inbox. Not retried. */
export async function readFamilySpace(
  recorder: CallRecorder,
  urls: Urls,
  family: BenchFamily,
): Promise<void> {
  const get = (service: ServiceName, route: string, path: string) =>
    withSession(recorder, urls, family, () =>
      recorder.call(service, route, `${urls[service]}${path}`, { token: family.token }),
    );
  await Promise.all([
    get('accounts', 'GET /auth/me', '/auth/me'),
    get('enrolments', 'GET /offers/for-child', `/offers/for-child?childId=${family.childId}`),
    get('tariffs', 'GET /grids/:id', '/grids/bench-cantine'),
    get('notifications', 'GET /households/:id/inbox', `/households/${family.householdId}/inbox`),
  ]);
}
