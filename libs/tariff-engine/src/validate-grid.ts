import Ajv2020, { ErrorObject } from 'ajv/dist/2020';
import schema from '../schema/tariff-grid.v1.schema.json';
import { toInterval } from './compile-brackets';
import type { BracketPricing, GridVersion, TariffGrid } from './grid';

/** What is wrong with a grid, field by field, as an HTTP problem+json lists it. */
export interface GridProblem {
  field: string;
  message: string;
}

// strictRequired is off: "oneOf: [{ required: [a] }, { required: [b] }]" (exactly one of two fields) is valid JSON Schema.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
const matchesSchema = ajv.compile<TariffGrid>(schema);

function pointerToField(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  const extra =
    error.keyword === 'additionalProperties'
      ? (error.params as { additionalProperty: string }).additionalProperty
      : '';
  return [path, extra].filter(Boolean).join('.') || '(grid)';
}

/** Dates are checked by pattern in the schema; this refuses impossible ones such as 2026-02-30. */
function isRealDate(date: string): boolean {
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

/**
 * Validates a grid: first its shape against the JSON Schema, then the rules a schema cannot say.
 * Drafts may have gaps or overlaps between tranches (the coherence analysis lists them); a published
 * version may not, and two published versions never apply on the same day.
 */
export function validateGrid(input: unknown): GridProblem[] {
  if (!matchesSchema(input)) {
    const problems = (matchesSchema.errors ?? [])
      .filter((error) => error.keyword !== 'oneOf' && error.keyword !== 'const' && error.keyword !== 'if')
      .map((error) => ({ field: pointerToField(error), message: error.message ?? 'invalid' }));
    return dedupe(
      problems.length ? problems : [{ field: '(grid)', message: 'does not match the grid format' }],
    );
  }
  const grid = input;
  const problems: GridProblem[] = [];
  const seen = new Set<number>();
  grid.versions.forEach((version, v) => {
    const at = `versions[${v}]`;
    if (seen.has(version.version))
      problems.push({ field: `${at}.version`, message: `version ${version.version} appears twice` });
    seen.add(version.version);
    for (const key of ['effectiveFrom', 'effectiveUntil'] as const) {
      const date = version[key];
      if (date !== undefined && !isRealDate(date))
        problems.push({ field: `${at}.${key}`, message: `${date} is not a real date` });
    }
    if (version.effectiveUntil !== undefined && version.effectiveUntil < version.effectiveFrom) {
      problems.push({ field: `${at}.effectiveUntil`, message: 'must not be before effectiveFrom' });
    }
    if (version.status === 'published' && !version.published) {
      problems.push({ field: `${at}.published`, message: 'a published version says when, by whom and why' });
    }
    problems.push(...validatePricing(version, at));
  });
  problems.push(...overlappingPublications(grid));
  return problems;
}

function validatePricing(version: GridVersion, at: string): GridProblem[] {
  const pricing = version.pricing;
  const problems: GridProblem[] = [];
  if (pricing.kind === 'brackets')
    problems.push(...validateBrackets(pricing, version.status === 'published', `${at}.pricing`));
  if (pricing.kind === 'effort-rate') {
    if ((pricing.baseFloorCents ?? 0) > (pricing.baseCeilingCents ?? Infinity)) {
      problems.push({
        field: `${at}.pricing.baseFloorCents`,
        message: 'the base floor is above the base ceiling',
      });
    }
    if ((pricing.priceFloorCents ?? 0) > (pricing.priceCeilingCents ?? Infinity)) {
      problems.push({
        field: `${at}.pricing.priceFloorCents`,
        message: 'the price floor is above the price ceiling',
      });
    }
  }
  if (pricing.kind === 'psu') {
    for (const list of ['rates', 'floors', 'ceilings'] as const) {
      const dates = pricing[list].map((entry) => entry.effectiveFrom);
      dates.forEach((date, i) => {
        if (!isRealDate(date))
          problems.push({
            field: `${at}.pricing.${list}[${i}].effectiveFrom`,
            message: `${date} is not a real date`,
          });
        if (dates.indexOf(date) !== i)
          problems.push({
            field: `${at}.pricing.${list}[${i}].effectiveFrom`,
            message: `${date} appears twice`,
          });
      });
    }
  }
  return problems;
}

function validateBrackets(pricing: BracketPricing, published: boolean, at: string): GridProblem[] {
  const problems: GridProblem[] = [];
  const ids = pricing.tranches.map((t) => t.id);
  const ranks = pricing.columns?.rank;
  const byResidency = pricing.columns?.residency ?? false;
  ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i)
      problems.push({ field: `${at}.tranches[${i}].id`, message: `tranche ${id} appears twice` });
  });
  pricing.tranches.forEach((tranche, i) => {
    const interval = toInterval(tranche, i);
    if (interval.lo > interval.hi)
      problems.push({ field: `${at}.tranches[${i}]`, message: `tranche ${tranche.id} contains no QF` });
  });
  if (ranks && ranks.some((rank, i) => i > 0 && rank <= ranks[i - 1])) {
    problems.push({ field: `${at}.columns.rank`, message: 'rank columns must increase' });
  }
  // Every cell of the matrix has exactly one price, and every price belongs to a cell.
  const expected = new Set(
    ids.flatMap((id) =>
      (ranks ?? [undefined]).flatMap((rank) =>
        (byResidency ? [true, false] : [undefined]).map((resident) => cellKey(id, rank, resident)),
      ),
    ),
  );
  const given = new Set<string>();
  pricing.prices.forEach((cell, i) => {
    const key = cellKey(cell.tranche, cell.rank, cell.resident);
    if (!expected.has(key)) problems.push({ field: `${at}.prices[${i}]`, message: `no such cell: ${key}` });
    else if (given.has(key)) problems.push({ field: `${at}.prices[${i}]`, message: `two prices for ${key}` });
    given.add(key);
  });
  for (const key of expected)
    if (!given.has(key)) problems.push({ field: `${at}.prices`, message: `missing price for ${key}` });
  if (published) {
    for (const finding of trancheCoverage(pricing))
      problems.push({ field: `${at}.tranches`, message: finding });
  }
  return problems;
}

const cellKey = (tranche: string, rank?: number, resident?: boolean): string =>
  [
    `tranche ${tranche}`,
    rank === undefined ? '' : `rank ${rank}`,
    resident === undefined ? '' : resident ? 'resident' : 'non-resident',
  ]
    .filter(Boolean)
    .join(', ');

/** Gaps and overlaps between tranches over the whole QF range, from 0 € to no upper bound. */
export function trancheCoverage(pricing: BracketPricing): string[] {
  const intervals = pricing.tranches
    .map(toInterval)
    .filter((i) => i.lo <= i.hi)
    .sort((a, b) => a.lo - b.lo);
  const findings: string[] = [];
  let covered = -1; // every QF up to here is covered
  let coveredBy = '';
  for (const interval of intervals) {
    if (interval.lo > covered + 1) {
      const range =
        interval.lo - 1 === covered + 1 ? `${covered + 1}` : `${covered + 1} to ${interval.lo - 1}`;
      findings.push(`gap: no tranche for QF ${range} €`);
    }
    if (interval.lo <= covered)
      findings.push(
        `overlap: tranches ${coveredBy} and ${interval.tranche.id} both contain QF ${interval.lo} €`,
      );
    if (interval.hi > covered) {
      covered = interval.hi;
      coveredBy = interval.tranche.id;
    }
  }
  if (covered !== Infinity) findings.push(`gap: no tranche for QF ${covered + 1} € and more`);
  return findings;
}

/** Two published versions of one grid never apply on the same day. */
function overlappingPublications(grid: TariffGrid): GridProblem[] {
  const published = grid.versions
    .map((version, index) => ({ version, index }))
    .filter(({ version }) => version.status === 'published')
    .sort((a, b) => a.version.effectiveFrom.localeCompare(b.version.effectiveFrom));
  const problems: GridProblem[] = [];
  for (let i = 1; i < published.length; i++) {
    const previous = published[i - 1].version;
    const current = published[i];
    if (
      previous.effectiveFrom === current.version.effectiveFrom ||
      (previous.effectiveUntil !== undefined && previous.effectiveUntil >= current.version.effectiveFrom)
    ) {
      problems.push({
        field: `versions[${current.index}].effectiveFrom`,
        message: `published versions ${previous.version} and ${current.version.version} would both apply on ${current.version.effectiveFrom}`,
      });
    }
  }
  return problems;
}

function dedupe(problems: GridProblem[]): GridProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
