// After a fault: nothing lost, nothing duplicated. Read from each service's own database and from the
// mails the SMTP server received.
import { mongo as driver } from 'mongoose';
import type { Platform } from '@guichet/testing';
import type { SubmissionOutcome } from './family-traffic';
import { sleep } from './platform';

const ACCEPTED_SUBJECT = 'Inscription acceptée';

interface StoredEnrolment {
  _id: string;
  householdId: string;
  offerId: string;
  status: string;
  prices: unknown[];
}

interface StoredOffer {
  _id: string;
  capacity: number;
  places: { free: number; holders: string[] };
}

export interface LedgerFindings {
  submissionsAnswered201: number;
  acceptedAnswers: number;
  overbookedOffers: number;
  ledgerMismatches: number;
  answeredButNotStored: number;
  enrolmentsWithoutSubmission: number;
  duplicateEnrolments: number;
  acceptedUnpriced: number;
  acceptedPricedMoreThanOnce: number;
  tariffsPricesMissing: number;
  tariffsPricedMoreThanOnce: number;
  acceptedWithoutMail: number;
  duplicateMails: number;
  resentMailsSameMessageId: number;
}

/**
 * Checks the submissions answered 201 by now, waiting up to `waitMs` for their eventual effects (a
 * price from tariffs, a mail from notifications); returns what is still wrong at the deadline.
 */
export async function checkLedgers(
  mongo: driver.MongoClient,
  platform: Platform,
  submissions: SubmissionOutcome[],
  waitMs: number,
): Promise<LedgerFindings> {
  const answered = submissions.filter((s) => s.enrolmentId !== undefined);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const findings = await readFindings(mongo, platform, answered, submissions);
    const pending = findings.acceptedUnpriced + findings.acceptedWithoutMail + findings.tariffsPricesMissing;
    if (pending === 0 || Date.now() > deadline) return findings;
    await sleep(2_000);
  }
}

async function readFindings(
  mongo: driver.MongoClient,
  platform: Platform,
  answered: SubmissionOutcome[],
  all: SubmissionOutcome[],
): Promise<LedgerFindings> {
  const enrolmentsDb = mongo.db(platform.services.enrolments.database);
  const stored = await enrolmentsDb
    .collection<StoredEnrolment>('enrolments')
    .find({}, { projection: { householdId: 1, offerId: 1, status: 1, prices: 1 } })
    .toArray();
  const offers = await enrolmentsDb.collection<StoredOffer>('offers').find({}).toArray();
  const byId = new Map(stored.map((e) => [e._id, e]));
  const dueIds = new Set(answered.map((s) => s.enrolmentId));
  const due = stored.filter((e) => dueIds.has(e._id));
  const accepted = due.filter((e) => e.status === 'accepted');
  const knownKeys = new Set(all.map((s) => `${s.family.householdId}:${s.offerId}`));
  const perPair = countBy(stored.map((e) => `${e.householdId}:${e.offerId}`));
  const tariffPrices = await mongo
    .db(platform.services.tariffs.database)
    .collection<{ _id: string; prices: unknown[] }>('enrolment_prices')
    .find({ _id: { $in: accepted.map((e) => e._id) } }, { projection: { prices: 1 } })
    .toArray();
  const mails = mailsPerHousehold(platform, answered);
  return {
    submissionsAnswered201: answered.length,
    acceptedAnswers: answered.filter((s) => s.outcome === 'accepted').length,
    ...capacity(offers, stored),
    answeredButNotStored: answered.filter((s) => !byId.has(s.enrolmentId ?? '')).length,
    enrolmentsWithoutSubmission: stored.filter((e) => !knownKeys.has(`${e.householdId}:${e.offerId}`)).length,
    duplicateEnrolments: [...perPair.values()].filter((n) => n > 1).length,
    acceptedUnpriced: accepted.filter((e) => e.prices.length === 0).length,
    acceptedPricedMoreThanOnce: accepted.filter((e) => e.prices.length > 1).length,
    tariffsPricesMissing: accepted.length - tariffPrices.length,
    tariffsPricedMoreThanOnce: tariffPrices.filter((p) => p.prices.length > 1).length,
    ...mailFindings(accepted, mails),
  };
}

function capacity(offers: StoredOffer[], stored: StoredEnrolment[]) {
  let overbookedOffers = 0;
  let ledgerMismatches = 0;
  for (const offer of offers) {
    const holding = stored.filter(
      (e) => e.offerId === offer._id && ['accepted', 'offered'].includes(e.status),
    );
    if (holding.length > offer.capacity || offer.places.holders.length > offer.capacity)
      overbookedOffers += 1;
    if (
      holding.length !== offer.places.holders.length ||
      offer.places.free !== offer.capacity - holding.length
    )
      ledgerMismatches += 1;
  }
  return { overbookedOffers, ledgerMismatches };
}

/** "Inscription acceptée" mails per household: how many, and how many distinct Message-IDs. */
function mailsPerHousehold(platform: Platform, answered: SubmissionOutcome[]) {
  const householdOf = new Map(answered.map((s) => [s.family.email, s.family.householdId]));
  const mails = new Map<string, { count: number; messageIds: Set<string> }>();
  for (const mail of platform.smtp.mails) {
    if (mail.subject !== ACCEPTED_SUBJECT) continue;
    for (const to of mail.to) {
      const householdId = householdOf.get(to);
      if (!householdId) continue;
      const seen = mails.get(householdId) ?? { count: 0, messageIds: new Set<string>() };
      seen.count += 1;
      seen.messageIds.add(mail.messageId);
      mails.set(householdId, seen);
    }
  }
  return mails;
}

/**
 * One mail per accepted enrolment. A household's mails are told apart by Message-ID (one per
 * delivery): fewer than its accepted enrolments is a loss, more a duplicate; the same Message-ID
 * twice is one delivery sent again (at-least-once SMTP after a crash between sending and recording).
 */
function mailFindings(
  accepted: StoredEnrolment[],
  mails: Map<string, { count: number; messageIds: Set<string> }>,
) {
  const expected = countBy(accepted.map((e) => e.householdId));
  let acceptedWithoutMail = 0;
  let duplicateMails = 0;
  let resentMailsSameMessageId = 0;
  for (const [householdId, count] of expected) {
    const got = mails.get(householdId) ?? { count: 0, messageIds: new Set<string>() };
    acceptedWithoutMail += Math.max(0, count - got.messageIds.size);
    duplicateMails += Math.max(0, got.messageIds.size - count);
    resentMailsSameMessageId += got.count - got.messageIds.size;
  }
  return { acceptedWithoutMail, duplicateMails, resentMailsSameMessageId };
}

function countBy(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
