import { CompiledBrackets, describeTranche } from './compile-brackets';
import type {
  DatedValue,
  EffortRatePricing,
  GridVersion,
  HouseholdFacts,
  Modifier,
  PsuPricing,
} from './grid';
import { formatDecimalFr, formatEuros, parseDecimal, Ratio, Rounding, roundCents } from './money';
import { QuoteError } from './quote-error';

/** The value of a dated list in force at a date (YYYY-MM-DD compare as strings), or undefined. */
export function valueAt<T>(values: DatedValue<T>[], date: string): DatedValue<T> | undefined {
  let found: DatedValue<T> | undefined;
  for (const entry of values)
    if (entry.effectiveFrom <= date && (!found || entry.effectiveFrom > found.effectiveFrom)) found = entry;
  return found;
}

const ordinal = (rank: number): string => (rank === 1 ? '1er enfant' : `${rank}e enfant`);
const frenchDate = (date: string): string => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;

/** A modifier with its decimals parsed once. */
type CompiledModifier =
  | {
      kind: 'siblings';
      steps: { fromRank: number; off?: Ratio; offText?: string; amountOffCents?: number }[];
    }
  | {
      kind: 'non-resident';
      surcharge?: Ratio;
      surchargeText?: string;
      surchargeCents?: number;
      priceCents?: number;
    }
  | { kind: 'pai'; priceCents?: number; off?: Ratio; offText?: string }
  | { kind: 'price-floor'; priceCents: number };

function compileModifier(modifier: Modifier): CompiledModifier {
  switch (modifier.kind) {
    case 'siblings':
      return {
        kind: 'siblings',
        steps: [...modifier.steps]
          .sort((a, b) => a.fromRank - b.fromRank)
          .map((step) => ({
            fromRank: step.fromRank,
            off: step.percentOff === undefined ? undefined : parseDecimal(step.percentOff),
            offText: step.percentOff,
            amountOffCents: step.amountOffCents,
          })),
      };
    case 'non-resident':
      return {
        kind: 'non-resident',
        surcharge:
          modifier.surchargePercent === undefined ? undefined : parseDecimal(modifier.surchargePercent),
        surchargeText: modifier.surchargePercent,
        surchargeCents: modifier.surchargeCents,
        priceCents: modifier.priceCents,
      };
    case 'pai':
      return {
        kind: 'pai',
        priceCents: modifier.priceCents,
        off: modifier.percentOff === undefined ? undefined : parseDecimal(modifier.percentOff),
        offText: modifier.percentOff,
      };
    case 'price-floor':
      return modifier;
  }
}

/** price × (100 − p) / 100, or × (100 + p) / 100, exactly, then rounded by the grid's rule. */
function percentOf(price: number, percent: Ratio, sign: 1 | -1, rounding: Rounding): number {
  return roundCents(price * (100 * percent.den + sign * percent.num), 100 * percent.den, rounding);
}

/**
 * One version of a grid, compiled once: decimals parsed, brackets turned into lookup tables. Its
 * `unitPrice` computes the price of one unit; given a `lines` array it also writes every step of
 * the computation there, in French, for the family ("pourquoi ce prix").
 */
export class CompiledVersion {
  private readonly brackets?: CompiledBrackets;
  private readonly effortRate?: { pricing: EffortRatePricing; rate: Ratio };
  private readonly psuRates?: DatedValue<{ ratio: Ratio; text: string }[]>[];
  private readonly modifiers: CompiledModifier[];
  readonly rounding: Rounding;

  constructor(
    readonly gridId: string,
    readonly definition: GridVersion,
  ) {
    const pricing = definition.pricing;
    this.rounding = definition.rounding;
    if (pricing.kind === 'brackets') this.brackets = new CompiledBrackets(pricing);
    if (pricing.kind === 'effort-rate')
      this.effortRate = { pricing, rate: parseDecimal(pricing.ratePercent) };
    if (pricing.kind === 'psu') {
      this.psuRates = pricing.rates.map((r) => ({
        effectiveFrom: r.effectiveFrom,
        value: r.value.map((text) => ({ ratio: parseDecimal(text), text })),
      }));
    }
    this.modifiers = (definition.modifiers ?? []).map(compileModifier);
  }

  get version(): number {
    return this.definition.version;
  }

  get compiledBrackets(): CompiledBrackets | undefined {
    return this.brackets;
  }

  unitPrice(facts: HouseholdFacts, date: string, lines?: string[]): number {
    let price = this.basePrice(facts, date, lines);
    for (const modifier of this.modifiers) price = this.applyModifier(modifier, price, facts, lines);
    return price;
  }

  private basePrice(facts: HouseholdFacts, date: string, lines?: string[]): number {
    const pricing = this.definition.pricing;
    switch (pricing.kind) {
      case 'flat':
        lines?.push(`Tarif unique : ${formatEuros(pricing.priceCents)}`);
        return pricing.priceCents;
      case 'brackets':
        return this.bracketPrice(facts, lines);
      case 'effort-rate':
        return this.effortRatePrice(facts, lines);
      case 'psu':
        return this.psuPrice(pricing, facts, date, lines);
    }
  }

  private bracketPrice(facts: HouseholdFacts, lines?: string[]): number {
    const brackets = this.brackets as CompiledBrackets;
    let tranche: number;
    if (facts.qf === undefined) {
      if (this.definition.missingQf === 'refuse') {
        throw new QuoteError(
          'qf-required',
          'qf',
          'Le quotient familial est nécessaire pour calculer ce tarif.',
        );
      }
      tranche = brackets.highest;
    } else {
      tranche = brackets.trancheOf(facts.qf);
      if (tranche < 0)
        throw new QuoteError(
          'no-tranche',
          'qf',
          `Aucune tranche de la grille ne contient un QF de ${facts.qf} €.`,
        );
    }
    const rank = facts.childRank ?? 1;
    const price = brackets.price(tranche, brackets.rankColumn(rank), facts.resident);
    if (price < 0) throw new QuoteError('no-tranche', 'qf', 'La grille ne donne pas de prix pour ce cas.');
    if (lines) {
      const t = brackets.intervals[tranche].tranche;
      const head =
        facts.qf === undefined ? 'QF non fourni → tranche la plus haute' : `QF ${facts.qf} € → tranche`;
      const columns = [
        brackets.rankColumns.length > 0 ? ordinal(rank) : '',
        brackets.byResidency ? (facts.resident ? 'résident' : 'non-résident') : '',
      ].filter(Boolean);
      lines.push(
        `${head} ${t.id} (${describeTranche(t)})${columns.length ? `, ${columns.join(', ')}` : ''} : ${formatEuros(price)}`,
      );
    }
    return price;
  }

  private effortRatePrice(facts: HouseholdFacts, lines?: string[]): number {
    const { pricing, rate } = this.effortRate as { pricing: EffortRatePricing; rate: Ratio };
    const onQf = pricing.base === 'qf';
    const baseCents = onQf ? (facts.qf === undefined ? undefined : facts.qf * 100) : monthlyResources(facts);
    if (baseCents === undefined) {
      const highest =
        pricing.priceCeilingCents ??
        (pricing.baseCeilingCents === undefined
          ? undefined
          : roundCents(pricing.baseCeilingCents * rate.num, rate.den * 100, this.rounding));
      if (this.definition.missingQf === 'refuse' || highest === undefined) {
        throw onQf
          ? new QuoteError('qf-required', 'qf', 'Le quotient familial est nécessaire pour calculer ce tarif.')
          : new QuoteError(
              'resources-required',
              'monthlyResourcesCents',
              'Les ressources mensuelles sont nécessaires pour calculer ce tarif.',
            );
      }
      lines?.push(
        `${onQf ? 'QF' : 'Ressources'} non fourni${onQf ? '' : 'es'} → tarif maximal : ${formatEuros(highest)}`,
      );
      return highest;
    }
    let base = baseCents;
    const label = onQf ? 'QF' : 'Ressources mensuelles';
    // A QF reads in whole euros ("QF 742 €"), resources in euros and cents.
    const amount = (cents: number) => (onQf ? `${Math.floor(cents / 100)} €` : formatEuros(cents));
    if (pricing.baseFloorCents !== undefined && base < pricing.baseFloorCents) {
      base = pricing.baseFloorCents;
      lines?.push(`${label} ramené${onQf ? '' : 'es'} au plancher de ${amount(base)}`);
    }
    if (pricing.baseCeilingCents !== undefined && base > pricing.baseCeilingCents) {
      base = pricing.baseCeilingCents;
      lines?.push(`${label} ramené${onQf ? '' : 'es'} au plafond de ${amount(base)}`);
    }
    let price = roundCents(base * rate.num, rate.den * 100, this.rounding);
    lines?.push(
      `${label} ${amount(base)} × taux d'effort ${formatDecimalFr(pricing.ratePercent)} % = ${formatEuros(price)}`,
    );
    if (pricing.priceFloorCents !== undefined && price < pricing.priceFloorCents) {
      price = pricing.priceFloorCents;
      lines?.push(`Prix plancher : ${formatEuros(price)}`);
    }
    if (pricing.priceCeilingCents !== undefined && price > pricing.priceCeilingCents) {
      price = pricing.priceCeilingCents;
      lines?.push(`Prix plafond : ${formatEuros(price)}`);
    }
    return price;
  }

  private psuPrice(pricing: PsuPricing, facts: HouseholdFacts, date: string, lines?: string[]): number {
    const resources = monthlyResources(facts);
    if (resources === undefined) {
      throw new QuoteError(
        'resources-required',
        'monthlyResourcesCents',
        'Les ressources mensuelles sont nécessaires pour le barème PSU.',
      );
    }
    const children = facts.dependentChildren ?? 0;
    if (children < 1)
      throw new QuoteError(
        'invalid-facts',
        'dependentChildren',
        'Le barème PSU compte au moins un enfant à charge.',
      );
    const rates = valueAt(this.psuRates ?? [], date);
    const floor = valueAt(pricing.floors, date);
    const ceiling = valueAt(pricing.ceilings, date);
    if (!rates || !floor || !ceiling)
      throw new QuoteError('no-version', 'date', `Le barème PSU n'a pas de valeurs au ${frenchDate(date)}.`);

    let base = resources;
    if (base < floor.value) {
      base = floor.value;
      lines?.push(
        `Ressources mensuelles ramenées au plancher CNAF de ${formatEuros(base)} (au ${frenchDate(floor.effectiveFrom)})`,
      );
    } else if (base > ceiling.value) {
      base = ceiling.value;
      lines?.push(
        `Ressources mensuelles ramenées au plafond CNAF de ${formatEuros(base)} (au ${frenchDate(ceiling.effectiveFrom)})`,
      );
    }
    // A child with AEEH in the household moves it to the rate immediately below (one more child).
    const counted = children + ((facts.aeehChildren ?? 0) > 0 ? 1 : 0);
    const index = Math.min(counted, rates.value.length) - 1;
    const { ratio: rate, text } = rates.value[index];
    const price = roundCents(base * rate.num, rate.den * 100, this.rounding);
    if (lines) {
      const rateText = formatDecimalFr(text);
      const who = `${children} enfant${children > 1 ? 's' : ''} à charge${counted > children ? ', dont un bénéficiaire de l’AEEH : taux de ' + counted + ' enfants' : ''}`;
      lines.push(
        `Ressources mensuelles ${formatEuros(base)} × taux d'effort ${rateText} % (${who}) = ${formatEuros(price)} de l'heure`,
      );
    }
    return price;
  }

  private applyModifier(
    modifier: CompiledModifier,
    price: number,
    facts: HouseholdFacts,
    lines?: string[],
  ): number {
    switch (modifier.kind) {
      case 'siblings': {
        const rank = facts.childRank ?? 1;
        let step: (typeof modifier.steps)[number] | undefined;
        for (const candidate of modifier.steps) if (rank >= candidate.fromRank) step = candidate;
        if (!step) return price;
        const next = step.off
          ? percentOf(price, step.off, -1, this.rounding)
          : Math.max(0, price - (step.amountOffCents ?? 0));
        const reduction = step.off
          ? `−${formatDecimalFr(step.offText ?? '')} %`
          : `−${formatEuros(step.amountOffCents ?? 0)}`;
        lines?.push(`${ordinal(rank)} ${reduction} : ${formatEuros(next)}`);
        return next;
      }
      case 'non-resident': {
        if (facts.resident) return price;
        if (modifier.priceCents !== undefined) {
          lines?.push(`Tarif non-résident : ${formatEuros(modifier.priceCents)}`);
          return modifier.priceCents;
        }
        const next = modifier.surcharge
          ? percentOf(price, modifier.surcharge, 1, this.rounding)
          : price + (modifier.surchargeCents ?? 0);
        const surcharge = modifier.surcharge
          ? `+${formatDecimalFr(modifier.surchargeText ?? '')} %`
          : `+${formatEuros(modifier.surchargeCents ?? 0)}`;
        lines?.push(`Non-résident ${surcharge} : ${formatEuros(next)}`);
        return next;
      }
      case 'pai': {
        if (!facts.pai) return price;
        const next =
          modifier.priceCents ?? (modifier.off ? percentOf(price, modifier.off, -1, this.rounding) : price);
        lines?.push(`PAI (panier repas fourni) : ${formatEuros(next)}`);
        return next;
      }
      case 'price-floor': {
        if (price >= modifier.priceCents) return price;
        lines?.push(`Prix plancher : ${formatEuros(modifier.priceCents)}`);
        return modifier.priceCents;
      }
    }
  }
}

function monthlyResources(facts: HouseholdFacts): number | undefined {
  if (facts.monthlyResourcesCents !== undefined) return facts.monthlyResourcesCents;
  if (facts.annualResourcesCents !== undefined)
    return roundCents(facts.annualResourcesCents, 12, { mode: 'half-up', stepCents: 1 });
  return undefined;
}
