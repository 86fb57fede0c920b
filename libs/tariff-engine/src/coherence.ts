import { CompiledVersion } from './compile-version';
import type { GridVersion, TariffGrid } from './grid';
import { formatEuros } from './money';
import { QuoteError } from './quote-error';
import { trancheCoverage } from './validate-grid';

/** One finding of the coherence analysis: data first (code, where, figures), then a sentence. */
export interface Finding {
  severity: 'error' | 'warning' | 'info';
  code: 'gap' | 'overlap' | 'price-falls' | 'threshold' | 'above-cost' | 'boundaries-differ';
  gridId: string;
  version?: number;
  /** The column the finding is about (child rank, residency), when the grid has columns. */
  column?: { rank: number; resident: boolean };
  qf?: number;
  figures: Record<string, number>;
  message: string;
}

export interface EffortRatePoint {
  qf: number;
  priceCents: number;
  /** Price ÷ QF, in percent: what one unit costs a household relative to its monthly QF. */
  effortRatePercent: number;
}

export interface CoherenceReport {
  gridId: string;
  version: number;
  findings: Finding[];
  /** The effective effort rate along the QF range, for the first column (1st child, resident). */
  effortRateCurve: EffortRatePoint[];
}

export interface CoherenceOptions {
  /** The QF range swept, 0 to this value in euros (default 3 000 €). */
  maxQf?: number;
  /** Step of the effort-rate curve (default 100 €). */
  curveStep?: number;
  /** A jump above this share of the lower price is a warning, not information (default 10 %). */
  thresholdWarningPercent?: number;
  /** The date for dated values (PSU); default the version's first day. */
  date?: string;
}

const MAX_FINDINGS_PER_KIND = 20;

/**
 * Analyses one version: tranche gaps and overlaps, prices that fall when QF rises, the largest
 * threshold effect (jump for 1 € more of QF), prices above the cost per user, and the effective
 * effort rate along the QF range. Prices are swept euro by euro, for every rank and residency.
 */
export function analyseVersion(
  grid: TariffGrid,
  version: GridVersion,
  options: CoherenceOptions = {},
): CoherenceReport {
  const maxQf = options.maxQf ?? 3000;
  const curveStep = options.curveStep ?? 100;
  const warnAbove = options.thresholdWarningPercent ?? 10;
  const date = options.date ?? version.effectiveFrom;
  const compiled = new CompiledVersion(grid.id, version);
  const base = { gridId: grid.id, version: version.version };
  const findings: Finding[] = [];

  if (version.pricing.kind === 'brackets') {
    for (const text of trancheCoverage(version.pricing)) {
      findings.push({
        ...base,
        severity: 'error',
        code: text.startsWith('gap') ? 'gap' : 'overlap',
        figures: {},
        message: text,
      });
    }
  }
  const effortRateCurve: EffortRatePoint[] = [];
  if (
    version.pricing.kind === 'psu' ||
    (version.pricing.kind === 'effort-rate' && version.pricing.base !== 'qf')
  ) {
    return { ...base, findings, effortRateCurve }; // priced on resources, not on QF: nothing to sweep
  }

  for (const column of columnsOf(version)) {
    const prices = new Int32Array(maxQf + 1).fill(-1);
    for (let qf = 0; qf <= maxQf; qf++) {
      try {
        prices[qf] = compiled.unitPrice({ qf, childRank: column.rank, resident: column.resident }, date);
      } catch (error) {
        if (!(error instanceof QuoteError)) throw error; // a QF no tranche holds: reported as a gap
      }
    }
    const where = { ...base, column };
    let falls = 0;
    let largest = { qf: -1, jump: 0, from: 0, to: 0 };
    let aboveCost = 0;
    for (let qf = 0; qf < maxQf; qf++) {
      const from = prices[qf];
      const to = prices[qf + 1];
      if (from < 0 || to < 0) continue;
      if (to < from && falls++ < MAX_FINDINGS_PER_KIND) {
        findings.push({
          ...where,
          severity: 'error',
          code: 'price-falls',
          qf: qf + 1,
          figures: { fromCents: from, toCents: to },
          message: `Le prix baisse de ${formatEuros(from)} à ${formatEuros(to)} quand le QF passe de ${qf} € à ${qf + 1} €.`,
        });
      }
      if (to - from > largest.jump) largest = { qf: qf + 1, jump: to - from, from, to };
    }
    if (largest.qf >= 0) {
      const percent = largest.from === 0 ? 100 : Math.round((largest.jump * 10000) / largest.from) / 100;
      findings.push({
        ...where,
        severity: percent > warnAbove ? 'warning' : 'info',
        code: 'threshold',
        qf: largest.qf,
        figures: {
          fromCents: largest.from,
          toCents: largest.to,
          jumpCents: largest.jump,
          jumpPercent: percent,
        },
        message: `Effet de seuil : ${formatEuros(largest.from)} → ${formatEuros(largest.to)} (+${formatEuros(largest.jump)}, +${String(percent).replace('.', ',')} %) pour 1 € de QF en plus, à ${largest.qf} €.`,
      });
    }
    const cost = version.costPerUserCents;
    if (cost !== undefined) {
      for (let qf = 0; qf <= maxQf; qf++) {
        if (prices[qf] > cost && aboveCost++ === 0) {
          findings.push({
            ...where,
            severity: 'error',
            code: 'above-cost',
            qf,
            figures: { priceCents: prices[qf], costPerUserCents: cost },
            message: `Dès un QF de ${qf} €, le prix (${formatEuros(prices[qf])}) dépasse le coût par usager (${formatEuros(cost)}).`,
          });
        }
      }
    }
    if (effortRateCurve.length === 0) {
      for (let qf = curveStep; qf <= maxQf; qf += curveStep) {
        if (prices[qf] >= 0) {
          effortRateCurve.push({
            qf,
            priceCents: prices[qf],
            effortRatePercent: Math.round((prices[qf] * 10000) / (qf * 100)) / 100,
          });
        }
      }
    }
  }
  return { ...base, findings, effortRateCurve };
}

/** Every (rank, residency) a version prices differently. */
function columnsOf(version: GridVersion): { rank: number; resident: boolean }[] {
  const pricing = version.pricing;
  const ranks = new Set<number>([1]);
  let residency = false;
  if (pricing.kind === 'brackets') {
    for (const rank of pricing.columns?.rank ?? []) ranks.add(rank);
    residency = pricing.columns?.residency ?? false;
  }
  for (const modifier of version.modifiers ?? []) {
    if (modifier.kind === 'siblings') for (const step of modifier.steps) ranks.add(step.fromRank);
    if (modifier.kind === 'non-resident') residency = true;
  }
  return [...ranks]
    .sort((a, b) => a - b)
    .flatMap((rank) => (residency ? [true, false] : [true]).map((resident) => ({ rank, resident })));
}

/**
 * Across services (the CTG asks for coherent tariffs): QF tranche boundaries that one bracket grid
 * uses and another does not, so a family crossing a boundary changes tranche in one service only.
 */
export function compareBoundaries(versions: { grid: TariffGrid; version: GridVersion }[]): Finding[] {
  const bounds = versions
    .filter(({ version }) => version.pricing.kind === 'brackets')
    .map(({ grid, version }) => ({
      grid,
      version,
      lows: new Set(
        version.pricing.kind === 'brackets'
          ? version.pricing.tranches.map((t) => (t.min.inclusive ? t.min.value : t.min.value + 1))
          : [],
      ),
    }));
  const findings: Finding[] = [];
  for (const a of bounds) {
    for (const b of bounds) {
      if (a === b) continue;
      const missing = [...a.lows].filter((low) => low > 0 && !b.lows.has(low)).sort((x, y) => x - y);
      if (missing.length === 0) continue;
      findings.push({
        severity: 'warning',
        code: 'boundaries-differ',
        gridId: a.grid.id,
        version: a.version.version,
        figures: { otherGridVersion: b.version.version, boundaries: missing.length },
        message: `Les tranches de ${a.grid.id} commencent à ${missing.join(', ')} € ; celles de ${b.grid.id} non.`,
      });
    }
  }
  return findings;
}
