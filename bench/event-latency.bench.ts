// Event latency: from an accepted submission (the HTTP answer of POST /enrolments on a first-come-
// first-served offer) to its notification job completed: the "Inscription acceptée" mail accepted by a
// real SMTP server and the delivery recorded as sent by notifications. Open loop: submissions leave at
// RATE per second whatever the answers, for DURATION seconds, against the four services run from their
// build as separate processes on the local stack.
//
// Run: npm run bench:event-latency (stack up first: infra/local/stack.sh up) — figures go to
// bench/results/event-latency.json. Knobs (environment):
//   RATE (100)          submissions per second, open loop
//   DURATION (60)       seconds of submissions
//   OFFERS (10)         fcfs canteen offers, each with room for every submission (all are accepted)
//   DRAIN (180)         seconds to wait, after the last answer, for the last mails
//   EMAIL_RATE (1000)   notifications' EMAIL_RATE_PER_SECOND: the relay's agreed rate, not the service's
//   BASE_PORT (3500)    services on BASE_PORT+1 … +4
//   RESULTS (event-latency.json)  the file under bench/results/ the figures go to
//
// The households exist before opening day: enrolments' projection of them is written straight into
// its database (as the opening-day bench does: going through Kafka would measure the projection), and
// notifications learns each family's address from the HouseholdContactChanged event accounts would
// publish, sent to Kafka. Tokens are signed by a test issuer whose keys the services fetch (JWKS).
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mongo as driver } from 'mongoose';
import { createEnvelope, HouseholdContactChanged, toKafkaRecord } from '@guichet/contracts';
import { createKafkaClient, RecordPublisher } from '@guichet/messaging';
import {
  expectEventually,
  percentile,
  requestJson,
  root,
  round,
  testInfrastructure,
  TestTokenIssuer,
  Platform,
} from '@guichet/testing';
import { openCatalogue } from './support/catalogue';
import { machineFacts, sleep, stackDescription } from './support/platform';

const RATE = Number(process.env.RATE ?? 100);
const DURATION = Number(process.env.DURATION ?? 60);
const OFFERS = Number(process.env.OFFERS ?? 10);
const RESULTS = process.env.RESULTS ?? 'event-latency.json';
const DRAIN = Number(process.env.DRAIN ?? 180);
const EMAIL_RATE = Number(process.env.EMAIL_RATE ?? 1000);
const BASE_PORT = Number(process.env.BASE_PORT ?? 3500);
const ACCEPTED_SUBJECT = 'Inscription acceptée';

interface Family {
  householdId: string;
  childId: string;
  email: string;
  token: string;
}

interface Submission {
  family: Family;
  sentAt: number;
  answeredAt?: number;
  status?: number;
  outcome?: string;
}

async function main(): Promise<void> {
  const issuer = await new TestTokenIssuer().start();
  const platform = new Platform({
    basePort: BASE_PORT,
    jwksUrl: issuer.jwksUrl,
    env: { EMAIL_RATE_PER_SECOND: String(EMAIL_RATE) },
  });
  const mongo = await driver.MongoClient.connect(testInfrastructure.mongoBaseUri);
  try {
    await platform.start();
    const admin = await issuer.token({ sub: 'bench-admin', role: 'admin' }, { expiresIn: '2h' });
    const total = Math.round(RATE * DURATION);
    const offerIds = await openCatalogue(
      { enrolments: platform.url('enrolments'), tariffs: platform.url('tariffs') },
      admin,
      OFFERS,
      Math.ceil(total / OFFERS),
    );
    console.log(`declaring ${total} households…`);
    const families = await declareHouseholds(mongo, platform, issuer, total);

    console.log(`open loop: ${RATE} submissions/s for ${DURATION} s…`);
    const submissions = await submitOpenLoop(platform.url('enrolments'), families, offerIds);
    const accepted = submissions.filter((s) => s.outcome === 'accepted');

    console.log(`waiting for the mails of ${accepted.length} accepted submissions…`);
    const completions = await awaitCompletions(mongo, platform, accepted);

    const result = {
      benchmark: 'event latency: accepted submission → notification job completed',
      ranAt: new Date().toISOString(),
      machine: machineFacts(),
      ...(await stackDescription(mongo)),
      parameters: { rate: RATE, durationSeconds: DURATION, offers: OFFERS, emailRatePerSecond: EMAIL_RATE },
      measuredTo:
        'the delivery recorded as sent by notifications (its job completed: the mail accepted by the SMTP server, then the status written); the mail at the SMTP server is given beside it',
      submissions: submissionFigures(submissions),
      latencyToDeliveryRecordedSentMs: latencyFigures(completions.sent),
      latencyToMailAtSmtpServerMs: latencyFigures(completions.mailed),
      checks: {
        accepted: accepted.length,
        acceptedWithoutNotification: completions.missing,
        duplicateMails: completions.duplicateMails,
        duplicateDeliveries: completions.duplicateDeliveries,
      },
      targets: {
        'p99 < 500 ms': percentile(completions.sent, 99) < 500,
        'achieved rate ≥ 95 % of RATE': submissionFigures(submissions).answeredPerSecond >= RATE * 0.95,
        'no accepted submission without its notification': completions.missing === 0,
        'no duplicate': completions.duplicateMails + completions.duplicateDeliveries === 0,
      },
    };
    writeFileSync(join(root, 'bench', 'results', RESULTS), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await mongo.close();
    await platform.stop();
    await issuer.stop();
  }
}

/**
 * Households known before opening day: enrolments' facts (residency, one child) written into its
 * projection, and the contact notifications reads from accounts' HouseholdContactChanged events.
 */
async function declareHouseholds(
  mongo: driver.MongoClient,
  platform: Platform,
  issuer: TestTokenIssuer,
  count: number,
): Promise<Family[]> {
  const families: Family[] = [];
  for (let i = 0; i < count; i++) {
    const householdId = `bench-hh-${randomUUID()}`;
    const token = await issuer.token(
      { sub: householdId, role: 'family', hid: householdId },
      { expiresIn: '2h' },
    );
    families.push({ householdId, childId: `bench-child-${i}`, email: `famille-${i}@bench.example`, token });
  }
  const facts = mongo
    .db(platform.services.enrolments.database)
    .collection<{ _id: string }>('household_facts');
  for (let i = 0; i < families.length; i += 1_000) {
    await facts.insertMany(
      families.slice(i, i + 1_000).map((family) => ({
        _id: family.householdId,
        resident: true,
        children: { [family.childId]: { birthDate: '2019-05-14', pai: false, aeeh: false } },
      })),
    );
  }
  await publishContacts(families);
  const contacts = mongo.db(platform.services.notifications.database).collection('contacts');
  await expectEventually(
    async () => {
      const known = await contacts.countDocuments({});
      if (known < families.length)
        throw new Error(`notifications knows ${known} of ${families.length} contacts`);
    },
    { timeoutMs: 300_000, intervalMs: 1_000 },
  );
  return families;
}

/** HouseholdContactChanged as accounts publishes it at registration: the address, email notices on. */
async function publishContacts(families: Family[]): Promise<void> {
  const publisher = new RecordPublisher(
    createKafkaClient({ clientId: 'bench-accounts', brokers: testInfrastructure.kafkaBrokers }),
  );
  try {
    for (let i = 0; i < families.length; i += 500) {
      await publisher.publish(
        families.slice(i, i + 500).map((family) => ({
          topic: HouseholdContactChanged.topic,
          ...toKafkaRecord(
            createEnvelope('guichet/accounts', {
              type: HouseholdContactChanged.type,
              subject: family.householdId,
              data: {
                householdId: family.householdId,
                email: family.email,
                emailNotices: true,
                smsNotices: false,
              },
            }),
          ),
        })),
      );
    }
  } finally {
    await publisher.disconnect();
  }
}

/** Sends submission i at start + i / RATE seconds, without waiting for earlier answers (open loop). */
async function submitOpenLoop(url: string, families: Family[], offerIds: string[]): Promise<Submission[]> {
  const submissions: Submission[] = [];
  const inFlight: Promise<void>[] = [];
  const start = Date.now();
  for (const [i, family] of families.entries()) {
    const due = start + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    const submission: Submission = { family, sentAt: Date.now() };
    submissions.push(submission);
    inFlight.push(submit(url, submission, offerIds[i % offerIds.length]));
  }
  await Promise.all(inFlight);
  return submissions;
}

async function submit(url: string, submission: Submission, offerId: string): Promise<void> {
  try {
    const answer = await requestJson(`${url}/enrolments`, 'POST', {
      token: submission.family.token,
      headers: { 'idempotency-key': `bench-${submission.family.householdId}` },
      body: { childId: submission.family.childId, offerId },
    });
    submission.status = answer.status;
    submission.outcome = answer.body?.status;
  } catch {
    submission.status = 0; // no answer (connection refused or reset)
  } finally {
    submission.answeredAt = Date.now();
  }
}

/**
 * Waits until each accepted family's delivery is recorded as sent and its mail has arrived, or DRAIN
 * seconds without progress; returns each latency from the HTTP answer, what is missing and duplicated.
 */
async function awaitCompletions(mongo: driver.MongoClient, platform: Platform, accepted: Submission[]) {
  const deliveries = mongo.db(platform.services.notifications.database).collection<{
    householdId: string;
    kind: string;
    channel: string;
    status: string;
    updatedAt: Date;
  }>('deliveries');
  const acceptedMails = () => platform.smtp.mails.filter((mail) => mail.subject === ACCEPTED_SUBJECT);
  const sentDeliveries = () =>
    deliveries.find({ kind: 'enrolment-accepted', channel: 'email', status: 'sent' }).toArray();
  let progressAt = Date.now();
  let done = 0;
  for (;;) {
    const sent = (await sentDeliveries()).length;
    const complete = Math.min(sent, acceptedMails().length);
    if (complete >= accepted.length) break;
    if (complete > done) [done, progressAt] = [complete, Date.now()];
    if (Date.now() - progressAt > DRAIN * 1000) break;
    await sleep(1_000);
  }
  await sleep(3_000); // room for a duplicate to show up
  const sentAt = new Map<string, number[]>();
  for (const delivery of await sentDeliveries()) {
    sentAt.set(delivery.householdId, [
      ...(sentAt.get(delivery.householdId) ?? []),
      delivery.updatedAt.getTime(),
    ]);
  }
  const mailedAt = new Map<string, number[]>();
  for (const mail of acceptedMails()) {
    for (const to of mail.to) mailedAt.set(to, [...(mailedAt.get(to) ?? []), mail.receivedAt]);
  }
  const figures = {
    sent: [] as number[],
    mailed: [] as number[],
    missing: 0,
    duplicateMails: 0,
    duplicateDeliveries: 0,
  };
  for (const submission of accepted) {
    const answeredAt = submission.answeredAt ?? submission.sentAt;
    const sent = sentAt.get(submission.family.householdId) ?? [];
    const mailed = mailedAt.get(submission.family.email) ?? [];
    if (sent.length === 0 || mailed.length === 0) figures.missing += 1;
    figures.duplicateDeliveries += Math.max(0, sent.length - 1);
    figures.duplicateMails += Math.max(0, mailed.length - 1);
    if (sent.length) figures.sent.push(Math.min(...sent) - answeredAt);
    if (mailed.length) figures.mailed.push(Math.min(...mailed) - answeredAt);
  }
  return figures;
}

function submissionFigures(submissions: Submission[]) {
  const answered = submissions.filter((s) => s.answeredAt !== undefined);
  const first = Math.min(...submissions.map((s) => s.sentAt));
  const last = Math.max(...answered.map((s) => s.answeredAt ?? 0));
  const byStatus: Record<string, number> = {};
  for (const s of submissions) byStatus[String(s.status)] = (byStatus[String(s.status)] ?? 0) + 1;
  const outcomes: Record<string, number> = {};
  for (const s of submissions) if (s.outcome) outcomes[s.outcome] = (outcomes[s.outcome] ?? 0) + 1;
  const httpLatencies = answered.map((s) => (s.answeredAt ?? 0) - s.sentAt);
  return {
    sent: submissions.length,
    sendingSeconds: round((Math.max(...submissions.map((s) => s.sentAt)) - first) / 1000, 2),
    lastAnswerAfterSeconds: round((last - first) / 1000, 2),
    answeredPerSecond: round((answered.length / Math.max(1, last - first)) * 1000),
    byHttpStatus: byStatus,
    outcomes,
    httpLatencyMs: latencyFigures(httpLatencies),
  };
}

function latencyFigures(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
  };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
