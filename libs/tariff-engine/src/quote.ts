import { CompiledVersion } from './compile-version';
import type { HouseholdFacts, PricedUnit, TariffGrid } from './grid';
import { formatEuros, roundCents } from './money';
import { QuoteError } from './quote-error';

/** A price with everything needed to trust it: the grid version used and every step, in French. */
export interface Quote {
  gridId: string;
  version: number;
  date: string;
  unitPriceCents: number;
  quantity: number;
  totalCents: number;
  /** PSU contracts: hours per year ÷ 12 × hourly price (mensualisation). */
  monthlyContractCents?: number;
  explanation: string[];
}

const UNIT_LABELS: Record<PricedUnit, [string, string]> = {
  meal: ['repas', 'repas'],
  day: ['journée', 'journées'],
  'half-day': ['demi-journée', 'demi-journées'],
  hour: ['heure', 'heures'],
  week: ['semaine', 'semaines'],
  month: ['mois', 'mois'],
  forfait: ['forfait', 'forfaits'],
};

/** A grid compiled once for quoting: its published versions, each in its fast form. */
export class CompiledGrid {
  private readonly versions: CompiledVersion[];

  constructor(readonly grid: TariffGrid) {
    this.versions = grid.versions
      .filter((v) => v.status === 'published')
      .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom))
      .map((v) => new CompiledVersion(grid.id, v));
  }

  /** The published version in force on a date (YYYY-MM-DD, Europe/Paris). */
  versionAt(date: string): CompiledVersion {
    for (let i = this.versions.length - 1; i >= 0; i--) {
      const { effectiveFrom, effectiveUntil } = this.versions[i].definition;
      if (effectiveFrom <= date) {
        if (effectiveUntil !== undefined && effectiveUntil < date) break;
        return this.versions[i];
      }
    }
    throw new QuoteError(
      'no-version',
      'date',
      `La grille ${this.grid.id} n'a pas de version en vigueur le ${date}.`,
    );
  }
}

export function compileGrid(grid: TariffGrid): CompiledGrid {
  return new CompiledGrid(grid);
}

function checkFacts(facts: HouseholdFacts): void {
  const wholeOrAbsent: [keyof HouseholdFacts, number | undefined, number][] = [
    ['qf', facts.qf, 0],
    ['monthlyResourcesCents', facts.monthlyResourcesCents, 0],
    ['annualResourcesCents', facts.annualResourcesCents, 0],
    ['dependentChildren', facts.dependentChildren, 0],
    ['aeehChildren', facts.aeehChildren, 0],
    ['childRank', facts.childRank, 1],
    ['quantity', facts.quantity, 0],
    ['contractHoursPerYear', facts.contractHoursPerYear, 0],
  ];
  for (const [field, value, min] of wholeOrAbsent) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= min)) {
      throw new QuoteError(
        'invalid-facts',
        field,
        `${field} doit être un nombre entier supérieur ou égal à ${min}.`,
      );
    }
  }
}

/** The unit price alone, in cents: the fast path, with no explanation built. */
export function quotePrice(version: CompiledVersion, facts: HouseholdFacts, date: string): number {
  checkFacts(facts);
  return version.unitPrice(facts, date);
}

/** A full quote: unit price, total, and the explanation a family reads. */
export function quote(grid: CompiledGrid, date: string, facts: HouseholdFacts): Quote {
  checkFacts(facts);
  const version = grid.versionAt(date);
  const explanation: string[] = [];
  const unitPriceCents = version.unitPrice(facts, date, explanation);
  const quantity = facts.quantity ?? 1;
  const totalCents = unitPriceCents * quantity;
  const [one, many] = UNIT_LABELS[grid.grid.unit];
  if (quantity !== 1)
    explanation.push(
      `${quantity} ${quantity > 1 ? many : one} × ${formatEuros(unitPriceCents)} = ${formatEuros(totalCents)}`,
    );
  const result: Quote = {
    gridId: grid.grid.id,
    version: version.version,
    date,
    unitPriceCents,
    quantity,
    totalCents,
    explanation,
  };
  if (facts.contractHoursPerYear !== undefined) {
    const monthly = roundCents(unitPriceCents * facts.contractHoursPerYear, 12, version.rounding);
    const hoursPerMonth = (facts.contractHoursPerYear / 12)
      .toFixed(2)
      .replace(/\.?0+$/, '')
      .replace('.', ',');
    explanation.push(
      `Contrat de ${facts.contractHoursPerYear} h par an ÷ 12 = ${hoursPerMonth} h par mois × ${formatEuros(unitPriceCents)} = ${formatEuros(monthly)} par mois`,
    );
    result.monthlyContractCents = monthly;
  }
  return result;
}
