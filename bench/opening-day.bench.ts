// Opening-day burst: FAMILIES families submit to OFFERS first-come-first-served offers holding PLACES
// places in all, through the HTTP API of the real services (run from their build as separate
// processes) on the local stack; then checks that nothing is overbooked, lost or duplicated, and
// measures a baseline doing the same database writes with the bare MongoDB driver in the same run.
// Run: npm run bench:opening-day (stack up first: infra/local/stack.sh up) — figures go to
// bench/results/opening-day.json with the store they ran on (asked of the server). Knobs: FAMILIES
// (20000), OFFERS (30), PLACES (3000), CONCURRENCY (64); the services listen on free ports.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mongo as driver } from 'mongoose';

type MongoClient = driver.MongoClient;
import {
  buildServices,
  expectEventually,
  freePort,
  percentile,
  requestJson,
  residentMiB,
  root,
  round,
  runConcurrently,
  RunningService,
  startServiceProcess,
  stopServiceProcess,
  testInfrastructure,
  TestTokenIssuer,
} from '@guichet/testing';
import { machineFacts, stackDescription } from './support/platform';

const FAMILIES = Number(process.env.FAMILIES ?? 20_000);
const OFFERS = Number(process.env.OFFERS ?? 30);
const PLACES = Number(process.env.PLACES ?? 3_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const GRID = 'bench-cantine';

interface Family {
  householdId: string;
  childId: string;
  token: string;
}

async function main(): Promise<void> {
  buildServices();
  const issuer = await new TestTokenIssuer().start();
  const auth = { AUTH_JWKS_URL: issuer.jwksUrl };
  const tariffs = await startServiceProcess('tariffs', await freePort(), auth);
  const enrolments = await startServiceProcess('enrolments', await freePort(), {
    ...auth,
    TARIFFS_URL: tariffs.url,
  });
  const services: RunningService[] = [enrolments, tariffs];
  const mongo = await driver.MongoClient.connect(testInfrastructure.mongoBaseUri);
  try {
    const described = await stackDescription(mongo);
    const admin = await issuer.token({ sub: 'bench-admin', role: 'admin' }, { expiresIn: '2h' });
    const finance = await issuer.token({ sub: 'bench-finance', role: 'finance' }, { expiresIn: '2h' });
    const grid = JSON.parse(readFileSync(join(root, 'apps', 'tariffs', 'demo', 'cantine.grid.json'), 'utf8'));
    await must(
      requestJson(`${tariffs.url}/grids`, 'POST', { token: finance, body: { ...grid, id: GRID } }),
      201,
    );
    const offerIds = await catalogue(enrolments.url, admin);

    console.log(`declaring ${FAMILIES} households…`);
    const families = await declareFamilies(mongo, enrolments, issuer);

    const idle = Object.fromEntries(services.map((s) => [s.name, residentMiB(s.process.pid)]));
    const peak: Record<string, number> = { ...idle };
    const sampler = setInterval(() => {
      for (const s of services) peak[s.name] = Math.max(peak[s.name], residentMiB(s.process.pid));
    }, 500);

    console.log(`burst: ${FAMILIES} submissions, ${CONCURRENCY} at a time…`);
    const answers = new Array<{ status: number; body: { id: string; status: string } }>(FAMILIES);
    const burst = await runConcurrently(FAMILIES, CONCURRENCY, async (i) => {
      const family = families[i];
      const answer = await requestJson(`${enrolments.url}/enrolments`, 'POST', {
        token: family.token,
        headers: { 'idempotency-key': `bench-${family.householdId}` },
        body: { childId: family.childId, offerId: offerIds[i % OFFERS] },
      });
      answers[i] = answer;
      if (answer.status !== 201) throw new Error(`${answer.status}`);
    });
    clearInterval(sampler);

    console.log('checking: capacity, one enrolment per submission, one price per acceptance…');
    const checks = await check(mongo, enrolments, offerIds, answers);

    console.log(`baseline: the same writes with the bare driver…`);
    const baseline = await bareDriverBaseline(mongo);

    const result = {
      benchmark: 'opening-day burst',
      ranAt: new Date().toISOString(),
      machine: machineFacts(),
      ...described,
      parameters: { families: FAMILIES, offers: OFFERS, places: PLACES, concurrency: CONCURRENCY },
      burst: summary(burst, FAMILIES),
      baseline,
      throughputVsBaseline: round(summary(burst, FAMILIES).perSecond / baseline.perSecond, 2),
      memoryMiB: { idle, peakDuringBurst: peak },
      checks,
      targets: {
        'submissions per second ≥ 500': summary(burst, FAMILIES).perSecond >= 500,
        'p99 < 200 ms': summary(burst, FAMILIES).p99Ms < 200,
        'throughput ≥ half the bare-driver baseline':
          summary(burst, FAMILIES).perSecond >= baseline.perSecond / 2,
      },
    };
    writeFileSync(join(root, 'bench', 'results', 'opening-day.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await mongo.close();
    for (const service of services) await stopServiceProcess(service);
    await issuer.stop();
  }
}

async function must(answer: Promise<{ status: number; body: unknown }>, status: number) {
  const { status: got, body } = await answer;
  if (got !== status) throw new Error(`expected ${status}, got ${got}: ${JSON.stringify(body)}`);
  return body;
}

async function catalogue(url: string, admin: string): Promise<string[]> {
  await must(
    requestJson(`${url}/sites`, 'POST', {
      token: admin,
      body: { id: 'bench-site', name: 'Bench', kind: 'school' },
    }),
    201,
  );
  await must(
    requestJson(`${url}/periods`, 'POST', {
      token: admin,
      body: {
        id: 'bench-year',
        label: 'Bench',
        startsOn: '2027-09-01',
        endsOn: '2028-07-01',
        weekdays: [1, 2, 4, 5],
      },
    }),
    201,
  );
  const ids = Array.from({ length: OFFERS }, (_, i) => `bench-offer-${i}`);
  for (const [i, id] of ids.entries()) {
    await must(
      requestJson(`${url}/offers`, 'POST', {
        token: admin,
        body: {
          id,
          service: 'cantine',
          siteId: 'bench-site',
          periodId: 'bench-year',
          label: `Bench offer ${i}`,
          capacity: Math.floor(PLACES / OFFERS) + (i < PLACES % OFFERS ? 1 : 0),
          tariffGridId: GRID,
          eligibility: { requiredDocuments: ['proof-of-address'] },
          procedure: {
            mode: 'fcfs',
            opensAt: '2026-01-01T00:00:00Z',
            closesAt: '2028-06-30T00:00:00Z',
            placeOfferMinutes: 2880,
          },
        },
      }),
      201,
    );
  }
  return ids;
}

/**
 * The households enrolments knows before opening day, written straight into its projection: what
 * accounts' events would have built (residency, the child, an accepted proof of address). Going
 * through Kafka would measure the projection, not the opening day, and take minutes on FerretDB.
 */
async function declareFamilies(
  mongo: MongoClient,
  enrolments: RunningService,
  issuer: TestTokenIssuer,
): Promise<Family[]> {
  const facts = mongo.db(enrolments.database).collection<{ _id: string }>('household_facts');
  const families: Family[] = [];
  let batch: object[] = [];
  for (let i = 0; i < FAMILIES; i++) {
    const householdId = `bench-hh-${randomUUID()}`;
    const childId = `bench-child-${i}`;
    batch.push({
      _id: householdId,
      resident: true,
      children: { [childId]: { birthDate: '2019-05-14', pai: false, aeeh: false } },
      documents: {
        [`bench-doc-${i}`]: {
          documentType: 'proof-of-address',
          status: 'accepted',
          validUntil: '2030-12-31',
        },
      },
    });
    const token = await issuer.token(
      { sub: householdId, role: 'family', hid: householdId },
      { expiresIn: '2h' },
    );
    families.push({ householdId, childId, token });
    if (batch.length >= 1_000) {
      await facts.insertMany(batch as { _id: string }[]);
      batch = [];
    }
  }
  if (batch.length) await facts.insertMany(batch as { _id: string }[]);
  return families;
}

function summary(run: { latencies: number[]; errors: number; elapsedMs: number }, total: number) {
  return {
    requests: total,
    errors: run.errors,
    seconds: round(run.elapsedMs / 1000, 2),
    perSecond: round((run.latencies.length / run.elapsedMs) * 1000),
    p50Ms: round(percentile(run.latencies, 50)),
    p95Ms: round(percentile(run.latencies, 95)),
    p99Ms: round(percentile(run.latencies, 99)),
    maxMs: round(run.latencies.at(-1) ?? 0),
  };
}

async function check(
  mongo: MongoClient,
  enrolments: RunningService,
  offerIds: string[],
  answers: { status: number; body: { id: string; status: string } }[],
) {
  const db = mongo.db(enrolments.database);
  const offers = await db
    .collection<{ _id: string; capacity: number; places: { free: number; holders: string[] } }>('offers')
    .find()
    .toArray();
  const stored = db.collection<{ _id: string; status: string; prices: unknown[] }>('enrolments');
  let overbooked = 0;
  let ledgerMismatches = 0;
  for (const offer of offers) {
    const holding = await stored.countDocuments({
      offerId: offer._id,
      status: { $in: ['accepted', 'offered'] },
    });
    if (holding > offer.capacity || offer.places.holders.length > offer.capacity) overbooked += 1;
    if (holding !== offer.places.holders.length || offer.places.free !== offer.capacity - holding)
      ledgerMismatches += 1;
  }
  const acceptedIds = answers.filter((a) => a?.body?.status === 'accepted').map((a) => a.body.id);
  const submitted = answers.filter((a) => a?.status === 201).length;
  const documents = await stored.countDocuments({});
  const acceptedStored = await stored.countDocuments({ status: 'accepted' });
  // Every acceptance is priced by tariffs through events, once.
  let pricedOnce = 0;
  await expectEventually(
    async () => {
      pricedOnce = await stored.countDocuments({
        status: 'accepted',
        'prices.0': { $exists: true },
        'prices.1': { $exists: false },
      });
      if (pricedOnce < acceptedIds.length) throw new Error(`${pricedOnce} of ${acceptedIds.length} priced`);
    },
    { timeoutMs: 300_000, intervalMs: 2_000 },
  ).catch(() => undefined);
  return {
    offers: offerIds.length,
    overbookedOffers: overbooked,
    ledgerMismatches,
    submissionsAnswered201: submitted,
    enrolmentDocuments: documents,
    oneEnrolmentPerSubmission: documents === submitted,
    acceptedAnswers: acceptedIds.length,
    acceptedStored,
    acceptedPricedExactlyOnce: pricedOnce,
  };
}

/**
 * The same database writes as one submission that gets a place, with the bare driver and the same
 * concurrency: insert the enrolment with its event, mark the move, take the place in the offer's
 * ledger, accept with its event, store the first answer.
 */
async function bareDriverBaseline(mongo: MongoClient) {
  const db = mongo.db(`bench-baseline-${randomUUID().slice(0, 8)}`);
  const offers = db.collection<{ _id: string; places: { free: number; holders: string[] } }>('offers');
  const enrolments = db.collection<{
    _id: string;
    offerId: string;
    status: string;
    outbox: object[];
    outboxPending?: true;
    outboxSince?: Date;
  }>('enrolments');
  await offers.insertMany(
    Array.from({ length: OFFERS }, (_, i) => ({
      _id: `o${i}`,
      places: { free: Math.ceil(PLACES / OFFERS), holders: [] },
    })),
  );
  const event = { topic: 'bench', key: 'k', value: 'x'.repeat(400), headers: {} };
  const run = await runConcurrently(FAMILIES, CONCURRENCY, async (i) => {
    const id = `e${i}`;
    const offerId = `o${i % OFFERS}`;
    await enrolments.insertOne({
      _id: id,
      offerId,
      status: 'submitted',
      outbox: [event],
      outboxPending: true,
      outboxSince: new Date(),
    });
    await enrolments.updateOne(
      { _id: id, status: 'submitted' },
      { $set: { pending: { op: 'accept', at: new Date() } } },
    );
    const taken = await offers.updateOne(
      { _id: offerId, 'places.free': { $gt: 0 }, 'places.holders': { $ne: id } },
      { $inc: { 'places.free': -1 }, $push: { 'places.holders': id } },
    );
    await enrolments.findOneAndUpdate(
      { _id: id },
      {
        $set: { status: taken.modifiedCount ? 'accepted' : 'waitlisted', outboxPending: true },
        $unset: { pending: '' },
        $push: { outbox: event },
      },
      { returnDocument: 'after' },
    );
    await enrolments.updateOne({ _id: id }, { $set: { firstAnswer: { id, status: 'accepted' } } });
  });
  await db.dropDatabase();
  return summary(run, FAMILIES);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
