import type { CompiledVersion } from './compile-version';
import type { HouseholdFacts } from './grid';
import { QuoteError } from './quote-error';

/** A household of the simulated population and what it consumes over the period (quantity). */
export interface PopulationMember {
  householdId: string;
  facts: HouseholdFacts;
}

export interface DecileImpact {
  /** 1 to 10, lowest QF first. */
  decile: number;
  qfFrom: number;
  qfTo: number;
  households: number;
  beforeCents: number;
  afterCents: number;
  /** Mean change per household, in cents (rounded toward zero). */
  meanChangeCents: number;
}

export interface ImpactReport {
  households: number;
  /** Households the draft or the version in force cannot price (no QF with a "refuse" policy, …). */
  unpriced: number;
  revenueBeforeCents: number;
  revenueAfterCents: number;
  payMore: number;
  payLess: number;
  unchanged: number;
  largestIncrease: { householdId: string; beforeCents: number; afterCents: number } | null;
  deciles: DecileImpact[];
  /** Households without a QF are outside the deciles. */
  withoutQf: { households: number; beforeCents: number; afterCents: number };
}

function priceOrUnpriced(version: CompiledVersion, facts: HouseholdFacts, date: string): number {
  try {
    return version.unitPrice(facts, date) * (facts.quantity ?? 1);
  } catch (error) {
    if (error instanceof QuoteError) return -1;
    throw error;
  }
}

/**
 * What a draft would change against the version in force, over a population with its consumption:
 * revenue before and after, who pays more or less, the largest individual increase, and the change
 * by QF decile. One pass to price, one counting pass for the deciles (QF are whole euros).
 */
export function simulateImpact(
  current: CompiledVersion,
  draft: CompiledVersion,
  population: readonly PopulationMember[],
  date: string,
): ImpactReport {
  const n = population.length;
  const before = new Float64Array(n);
  const after = new Float64Array(n);
  let unpriced = 0;
  let revenueBefore = 0;
  let revenueAfter = 0;
  let payMore = 0;
  let payLess = 0;
  let unchanged = 0;
  let largest = -1;
  let largestDelta = 0;
  let maxQf = 0;
  const withoutQf = { households: 0, beforeCents: 0, afterCents: 0 };

  for (let i = 0; i < n; i++) {
    const facts = population[i].facts;
    const b = priceOrUnpriced(current, facts, date);
    const a = priceOrUnpriced(draft, facts, date);
    if (b < 0 || a < 0) {
      unpriced++;
      before[i] = after[i] = -1;
      continue;
    }
    before[i] = b;
    after[i] = a;
    revenueBefore += b;
    revenueAfter += a;
    if (a > b) payMore++;
    else if (a < b) payLess++;
    else unchanged++;
    if (a - b > largestDelta) {
      largestDelta = a - b;
      largest = i;
    }
    const qf = facts.qf;
    if (qf === undefined) {
      withoutQf.households++;
      withoutQf.beforeCents += b;
      withoutQf.afterCents += a;
    } else if (qf > maxQf) maxQf = qf;
  }

  return {
    households: n,
    unpriced,
    revenueBeforeCents: revenueBefore,
    revenueAfterCents: revenueAfter,
    payMore,
    payLess,
    unchanged,
    largestIncrease:
      largest < 0
        ? null
        : {
            householdId: population[largest].householdId,
            beforeCents: before[largest],
            afterCents: after[largest],
          },
    deciles: deciles(population, before, after, maxQf),
    withoutQf,
  };
}

function deciles(
  population: readonly PopulationMember[],
  before: Float64Array,
  after: Float64Array,
  maxQf: number,
): DecileImpact[] {
  // Count households per QF, then cut the QF range where each tenth of the households is reached.
  const counts = new Uint32Array(maxQf + 1);
  let priced = 0;
  for (let i = 0; i < population.length; i++) {
    const qf = population[i].facts.qf;
    if (qf !== undefined && before[i] >= 0) {
      counts[qf]++;
      priced++;
    }
  }
  if (priced === 0) return [];
  const decileOfQf = new Uint8Array(maxQf + 1);
  let seen = 0;
  for (let qf = 0; qf <= maxQf; qf++) {
    decileOfQf[qf] = Math.min(9, Math.floor((seen * 10) / priced));
    seen += counts[qf];
  }
  const result: DecileImpact[] = Array.from({ length: 10 }, (_, d) => ({
    decile: d + 1,
    qfFrom: Infinity,
    qfTo: -1,
    households: 0,
    beforeCents: 0,
    afterCents: 0,
    meanChangeCents: 0,
  }));
  for (let i = 0; i < population.length; i++) {
    const qf = population[i].facts.qf;
    if (qf === undefined || before[i] < 0) continue;
    const bucket = result[decileOfQf[qf]];
    bucket.households++;
    bucket.beforeCents += before[i];
    bucket.afterCents += after[i];
    if (qf < bucket.qfFrom) bucket.qfFrom = qf;
    if (qf > bucket.qfTo) bucket.qfTo = qf;
  }
  return result
    .filter((bucket) => bucket.households > 0)
    .map((bucket) => ({
      ...bucket,
      meanChangeCents: Math.trunc((bucket.afterCents - bucket.beforeCents) / bucket.households),
    }));
}
