import type { BracketPricing, Bound, Tranche } from './grid';

/** A tranche as a closed interval of whole euros [lo, hi] (hi = Infinity when open). */
export interface Interval {
  tranche: Tranche;
  index: number;
  lo: number;
  hi: number;
}

export function toInterval(tranche: Tranche, index: number): Interval {
  const lo = tranche.min.inclusive ? tranche.min.value : tranche.min.value + 1;
  const hi =
    tranche.max === undefined ? Infinity : tranche.max.inclusive ? tranche.max.value : tranche.max.value - 1;
  return { tranche, index, lo, hi };
}

export function describeTranche(tranche: Tranche): string {
  const interval = toInterval(tranche, 0);
  return interval.hi === Infinity ? `${interval.lo} € et plus` : `${interval.lo} à ${interval.hi} €`;
}

export function boundText(bound: Bound): string {
  return `${bound.inclusive ? '' : 'exclu '}${bound.value}`;
}

/**
 * A bracket matrix compiled for speed: the tranche of every QF up to the last lower bound is one
 * array read, and prices sit in one Int32Array indexed by (tranche, rank column, residency column).
 */
export class CompiledBrackets {
  readonly intervals: Interval[];
  private readonly trancheOfQf: Int16Array;
  private readonly tableLimit: number;
  private readonly prices: Int32Array;
  readonly rankColumns: number[];
  readonly byResidency: boolean;
  /** Index of the tranche with the highest prices (the highest lower bound), for households without a QF. */
  readonly highest: number;

  constructor(pricing: BracketPricing) {
    this.intervals = pricing.tranches.map(toInterval);
    this.rankColumns = pricing.columns?.rank ?? [];
    this.byResidency = pricing.columns?.residency ?? false;
    const finiteBounds = this.intervals.flatMap((i) => (i.hi === Infinity ? [i.lo] : [i.lo, i.hi]));
    this.tableLimit = Math.max(0, ...finiteBounds) + 1;
    this.trancheOfQf = new Int16Array(this.tableLimit + 1).fill(-1);
    // The first tranche that contains a QF wins; overlaps are reported by the coherence analysis.
    for (let i = this.intervals.length - 1; i >= 0; i--) {
      const { lo, hi } = this.intervals[i];
      for (let qf = Math.max(0, lo); qf <= Math.min(hi, this.tableLimit); qf++) this.trancheOfQf[qf] = i;
    }
    this.highest = this.intervals.reduce(
      (best, i, index) => (i.lo > this.intervals[best].lo ? index : best),
      0,
    );

    const ranks = Math.max(1, this.rankColumns.length);
    const residencies = this.byResidency ? 2 : 1;
    this.prices = new Int32Array(this.intervals.length * ranks * residencies).fill(-1);
    const trancheIndex = new Map(pricing.tranches.map((t, i) => [t.id, i]));
    for (const cell of pricing.prices) {
      const t = trancheIndex.get(cell.tranche);
      if (t === undefined) continue;
      const r = cell.rank === undefined ? 0 : this.rankColumns.indexOf(cell.rank);
      const s = cell.resident === false ? 1 : 0;
      this.prices[(t * ranks + r) * residencies + s] = cell.priceCents;
    }
  }

  /** The tranche index of a QF, or -1 when no tranche contains it. */
  trancheOf(qf: number): number {
    if (qf <= this.tableLimit) return qf < 0 ? -1 : this.trancheOfQf[qf];
    return this.trancheOfQf[this.tableLimit];
  }

  /** The rank column of a child rank: its own, or the last column for later children. */
  rankColumn(childRank: number): number {
    const columns = this.rankColumns;
    if (columns.length === 0) return 0;
    for (let i = columns.length - 1; i >= 0; i--) if (childRank >= columns[i]) return i;
    return 0;
  }

  price(tranche: number, rankColumn: number, resident: boolean): number {
    const residencies = this.byResidency ? 2 : 1;
    const ranks = Math.max(1, this.rankColumns.length);
    return this.prices[
      (tranche * ranks + rankColumn) * residencies + (this.byResidency && !resident ? 1 : 0)
    ];
  }
}
