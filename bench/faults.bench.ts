// Faults during a burst: families keep submitting (and reading their family space at every service)
// while, in turn, each service is killed with SIGKILL and restarted, the Kafka broker is stopped for
// KAFKA_DOWN seconds, Redis is restarted (it keeps no data) and the MongoDB-compatible store is
// restarted. During each fault every answer is recorded (a 5xx other than 503 is a bug, and so is a
// 503 without Retry-After) and /health/ready of each service is polled (red while its dependency is
// down, green again after). After each fault: no offer overbooked, each submission one enrolment, each
// acceptance one price (on the enrolment and in tariffs) and one mail, nothing duplicated.
//
// Run: npm run bench:faults (stack up first: infra/local/stack.sh up; the bench stops and starts its
// Kafka, Redis and FerretDB with infra/local/*.sh, so run it on a stack of your own) — figures go to
// bench/results/faults.json. Knobs (environment):
//   RATE (2)            submissions per second (each with one family's reads at the four services)
//   FAMILIES (60)       families registered through accounts, one child each
//   OFFERS (8)          fcfs offers; each family applies to each offer once (FAMILIES × OFFERS
//                       submissions at most; then the families only read)
//   CAPACITY (40)       places per offer (fewer than the families: the rest is waitlisted)
//   BASELINE (10)       seconds of traffic before the first fault
//   DOWN (5)            seconds a killed service, Redis or FerretDB stays down
//   KAFKA_DOWN (20)     seconds the broker stays stopped
//   SETTLE (10)         seconds of traffic after every service is ready again, before the checks
//   CHECK_WAIT (90)     seconds the checks wait for prices and mails; FINAL_WAIT (300) at the end
//   BASE_PORT (3500)    services on BASE_PORT+1 … +4
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mongo as driver } from 'mongoose';
import {
  expectEventually,
  Platform,
  requestJson,
  root,
  SERVICE_NAMES,
  ServiceName,
  testInfrastructure,
  uniqueName,
} from '@guichet/testing';
import { must, openCatalogue } from './support/catalogue';
import {
  BenchFamily,
  CallRecorder,
  readFamilySpace,
  SubmissionOutcome,
  submitWithRetries,
} from './support/family-traffic';
import { checkLedgers } from './support/ledger-checks';
import { machineFacts, sleep, stackDescription, stackServer } from './support/platform';
import { ReadinessWatch } from './support/readiness';

const RATE = Number(process.env.RATE ?? 2);
const FAMILIES = Number(process.env.FAMILIES ?? 60);
const OFFERS = Number(process.env.OFFERS ?? 8);
const CAPACITY = Number(process.env.CAPACITY ?? 40);
const BASELINE = Number(process.env.BASELINE ?? 10);
const DOWN = Number(process.env.DOWN ?? 5);
const KAFKA_DOWN = Number(process.env.KAFKA_DOWN ?? 20);
const SETTLE = Number(process.env.SETTLE ?? 10);
const CHECK_WAIT = Number(process.env.CHECK_WAIT ?? 90);
const FINAL_WAIT = Number(process.env.FINAL_WAIT ?? 300);
const BASE_PORT = Number(process.env.BASE_PORT ?? 3500);

interface Fault {
  name: string;
  /** Which services' readiness should go red. */
  expectRed: ServiceName[];
  /** Seconds between breaking and mending. */
  down: number;
  break: (platform: Platform) => Promise<void>;
  /** Starts the process or server again; the time to recover counts from the start of this. */
  mend: (platform: Platform) => Promise<void>;
}

const killAndRestart = (service: ServiceName): Fault => ({
  name: `kill -9 ${service}, restarted after ${DOWN} s`,
  expectRed: [service],
  down: DOWN,
  break: (platform) => platform.kill(service),
  mend: async (platform) => void (await platform.startService(service, 120_000)),
});

const serverDown = (
  server: 'kafka' | 'redis' | 'ferretdb',
  seconds: number,
  expectRed: ServiceName[],
): Fault => ({
  name: `${server} stopped for ${seconds} s, then started`,
  expectRed,
  down: seconds,
  break: async () => stackServer(server, 'stop'),
  mend: async () => stackServer(server, 'start'),
});

const FAULTS: Fault[] = [
  ...SERVICE_NAMES.map(killAndRestart),
  serverDown('kafka', KAFKA_DOWN, [...SERVICE_NAMES]),
  serverDown('redis', DOWN, ['notifications']),
  serverDown('ferretdb', DOWN, [...SERVICE_NAMES]),
];

async function main(): Promise<void> {
  const platform = new Platform({ basePort: BASE_PORT });
  const mongo = await driver.MongoClient.connect(testInfrastructure.mongoBaseUri);
  const urls = Object.fromEntries(SERVICE_NAMES.map((s) => [s, platform.url(s)])) as Record<
    ServiceName,
    string
  >;
  const readiness = new ReadinessWatch(urls);
  try {
    await platform.start();
    const admin = await platform.adminToken();
    const offerIds = await openCatalogue(
      { enrolments: urls.enrolments, tariffs: urls.tariffs },
      admin,
      OFFERS,
      CAPACITY,
    );
    console.log(`registering ${FAMILIES} families through accounts…`);
    const registering = Date.now();
    const families = await registerFamilies(urls);
    console.log(`registered in ${Math.round((Date.now() - registering) / 1000)} s`);

    const recorder = new CallRecorder();
    const traffic = new FamilyTraffic(recorder, urls, families, offerIds);
    readiness.start();
    traffic.start();
    await sleep(BASELINE * 1000);
    const phases = [];
    for (const fault of FAULTS) {
      console.log(`fault: ${fault.name}…`);
      phases.push(await runFault(fault, platform, mongo, recorder, readiness, traffic));
    }
    await traffic.stop();
    readiness.stop();
    console.log('final checks…');
    const final = await checkLedgers(mongo, platform, traffic.submissions, FINAL_WAIT * 1000);
    const result = {
      benchmark: 'faults during a burst',
      ranAt: new Date().toISOString(),
      machine: machineFacts(),
      ...(await stackDescription(mongo)),
      parameters: {
        rate: RATE,
        families: FAMILIES,
        offers: OFFERS,
        capacity: CAPACITY,
        down: DOWN,
        kafkaDown: KAFKA_DOWN,
      },
      submissions: submissionFigures(traffic.submissions),
      phases,
      final,
      verdict: verdict(phases, final),
    };
    writeFileSync(join(root, 'bench', 'results', 'faults.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    readiness.stop();
    await mongo.close();
    await platform.stop();
    for (const server of ['redis', 'ferretdb', 'kafka'] as const) stackServer(server, 'start'); // as found
  }
}

/** Families as they register: an account and household, a login, a child declared. */
async function registerFamilies(urls: Record<ServiceName, string>): Promise<BenchFamily[]> {
  const families: BenchFamily[] = [];
  for (let i = 0; i < FAMILIES; i++) {
    const email = `${uniqueName(`famille-${i}`)}@bench.example`;
    const password = 'the family’s long password';
    const registered = await must(
      requestJson(`${urls.accounts}/families`, 'POST', { body: { email, password, resident: true } }),
      201,
    );
    const login = await must(
      requestJson(`${urls.accounts}/auth/login`, 'POST', { body: { email, password } }),
      200,
      201,
    );
    const householdId = registered.body.householdId as string;
    const token = login.body.accessToken as string;
    const child = await must(
      requestJson(`${urls.accounts}/households/${householdId}/children`, 'POST', {
        token,
        body: { firstName: 'Enfant', lastName: 'Banc', birthDate: '2019-05-14' },
      }),
      201,
    );
    families.push({
      email,
      password,
      householdId,
      token,
      refreshToken: login.body.refreshToken as string,
      childId: child.body.children[0].childId as string,
    });
  }
  // Enrolments knows a child from accounts' events: until then its offers answer 404.
  for (const family of families) {
    await expectEventually(
      async () => {
        const answer = await requestJson(
          `${urls.enrolments}/offers/for-child?childId=${family.childId}`,
          'GET',
          {
            token: family.token,
          },
        );
        if (answer.status !== 200) throw new Error(`for-child: ${answer.status}`);
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
  }
  return families;
}

/** Submissions at RATE per second, each with its family's reads, until stopped or out of pairs. */
class FamilyTraffic {
  readonly submissions: SubmissionOutcome[] = [];
  private readonly pairs: { family: BenchFamily; offerId: string }[];
  private readonly inFlight: Promise<void>[] = [];
  private timer?: NodeJS.Timeout;
  private giveUpAt = Number.POSITIVE_INFINITY;
  private reads = 0;

  constructor(
    private readonly recorder: CallRecorder,
    private readonly urls: Record<ServiceName, string>,
    families: BenchFamily[],
    offerIds: string[],
  ) {
    // Pass p: family i applies to offer (i + p) mod OFFERS, so each offer fills from the start.
    this.pairs = offerIds.flatMap((_, pass) =>
      families.map((family, i) => ({ family, offerId: offerIds[(i + pass) % offerIds.length] })),
    );
  }

  start(): void {
    this.timer = setInterval(() => this.next(), 1000 / RATE);
  }

  /** Stops sending; submissions still retrying get 120 s more, then give up. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.giveUpAt = Date.now() + 120_000;
    await Promise.all(this.inFlight);
  }

  /** A family's visit: its next submission (while it has offers left to apply to) and its reads. */
  private next(): void {
    const pair = this.pairs[this.submissions.length];
    if (!pair) {
      const family = this.pairs[this.reads++ % this.pairs.length].family;
      this.inFlight.push(readFamilySpace(this.recorder, this.urls, family));
      return;
    }
    const submission: SubmissionOutcome = {
      ...pair,
      idempotencyKey: `faults-${pair.family.householdId}-${pair.offerId}`,
      startedAt: Date.now(),
      attempts: 0,
    };
    this.submissions.push(submission);
    this.inFlight.push(submitWithRetries(this.recorder, this.urls, submission, () => this.giveUpAt));
    this.inFlight.push(readFamilySpace(this.recorder, this.urls, pair.family));
  }
}

async function runFault(
  fault: Fault,
  platform: Platform,
  mongo: driver.MongoClient,
  recorder: CallRecorder,
  readiness: ReadinessWatch,
  traffic: FamilyTraffic,
) {
  const startedAt = Date.now();
  await fault.break(platform);
  await sleep(fault.down * 1000);
  const recoveredAt = Date.now();
  await fault.mend(platform);
  const allReadyAt = await allReady(readiness, recoveredAt);
  await sleep(SETTLE * 1000);
  const endedAt = Date.now();
  const readinessSummary = readiness.summary(startedAt, recoveredAt, endedAt);
  const checks = await checkLedgers(mongo, platform, traffic.submissions, CHECK_WAIT * 1000);
  return {
    fault: fault.name,
    seconds: Math.round((endedAt - startedAt) / 1000),
    allReadyAfterRecoveryMs: allReadyAt === undefined ? null : allReadyAt - recoveredAt,
    answers: answerFigures(recorder, startedAt, endedAt),
    readiness: readinessSummary,
    expectedRedAndGreenAgain: fault.expectRed.every(
      (s) => readinessSummary[s].wentRed && readinessSummary[s].greenAgainAfterRecoveryMs !== null,
    ),
    checks,
  };
}

/** When every service answered ready again after `since` (within 180 s), or undefined. */
async function allReady(readiness: ReadinessWatch, since: number): Promise<number | undefined> {
  const deadline = since + 180_000;
  while (Date.now() < deadline) {
    const latest = SERVICE_NAMES.map((s) =>
      readiness.samples.filter((x) => x.service === s && x.at >= since).at(-1),
    );
    if (latest.every((sample) => sample?.status === 200)) return Math.max(...latest.map((s) => s?.at ?? 0));
    await sleep(250);
  }
  return undefined;
}

/** Answers between two instants, by service, route and status; 5xx other than 503 and bare 503s named. */
function answerFigures(recorder: CallRecorder, from: number, to: number) {
  const calls = recorder.calls.filter((c) => c.at >= from && c.at <= to);
  const byRoute: Record<string, Record<string, number>> = {};
  for (const call of calls) {
    const route = `${call.service} ${call.route}`;
    byRoute[route] ??= {};
    byRoute[route][call.status] = (byRoute[route][call.status] ?? 0) + 1;
  }
  return {
    total: calls.length,
    serverErrorsOtherThan503: calls.filter((c) => c.status >= 500 && c.status !== 503).length,
    unavailableWithoutRetryAfter: calls.filter((c) => c.status === 503 && !c.retryAfter).length,
    noAnswer: calls.filter((c) => c.status === 0).length,
    byRoute,
  };
}

function submissionFigures(submissions: SubmissionOutcome[]) {
  const outcomes: Record<string, number> = {};
  for (const s of submissions) {
    const key = s.outcome ?? `no 201 (last status ${s.finalStatus})`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return {
    sent: submissions.length,
    retried: submissions.filter((s) => s.attempts > 1).length,
    attempts: submissions.reduce((sum, s) => sum + s.attempts, 0),
    outcomes,
  };
}

function verdict(
  phases: Awaited<ReturnType<typeof runFault>>[],
  final: Awaited<ReturnType<typeof checkLedgers>>,
) {
  // The offers' ledgers are compared with the enrolments at the end only: read while submissions
  // are in flight, a place taken but not yet written on its enrolment shows as a mismatch.
  const wrong = (f: typeof final, quiet: boolean) =>
    f.overbookedOffers +
    (quiet ? f.ledgerMismatches : 0) +
    f.answeredButNotStored +
    f.enrolmentsWithoutSubmission +
    f.duplicateEnrolments +
    f.acceptedUnpriced +
    f.acceptedPricedMoreThanOnce +
    f.tariffsPricesMissing +
    f.tariffsPricedMoreThanOnce +
    f.acceptedWithoutMail +
    f.duplicateMails;
  return {
    'no 5xx other than 503': phases.every((p) => p.answers.serverErrorsOtherThan503 === 0),
    'every 503 with Retry-After': phases.every((p) => p.answers.unavailableWithoutRetryAfter === 0),
    'readiness red during each fault and green again': phases.every((p) => p.expectedRedAndGreenAgain),
    'nothing lost or duplicated after each fault': phases.every((p) => wrong(p.checks, false) === 0),
    'nothing lost or duplicated at the end': wrong(final, true) === 0,
    'no mail sent twice under one Message-ID': final.resentMailsSameMessageId === 0,
  };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
