// The tariff grid format `guichet.tariff-grid/v1`: plain JSON that finance staff export, review,
// publish as open data and import back unchanged. Its JSON Schema is tariff-grid.v1.schema.json.
import type { RoundingMode } from './money';

export const GRID_FORMAT = 'guichet.tariff-grid/v1';

export type ServiceKind = 'creche' | 'cantine' | 'acm' | 'periscolaire' | 'autre';
export type PricedUnit = 'meal' | 'day' | 'half-day' | 'hour' | 'week' | 'month' | 'forfait';

export interface TariffGrid {
  format: typeof GRID_FORMAT;
  id: string;
  name: string;
  service: ServiceKind;
  unit: PricedUnit;
  /** True for demonstration grids, which are not any city's real prices. */
  example?: boolean;
  versions: GridVersion[];
}

export interface GridVersion {
  version: number;
  /** Drafts are editable; a published version is immutable. */
  status: 'draft' | 'published';
  /** First day it applies, YYYY-MM-DD, Europe/Paris. */
  effectiveFrom: string;
  /** Last day it applies (inclusive); open-ended when absent. */
  effectiveUntil?: string;
  rounding: { mode: RoundingMode; stepCents: 1 | 5 | 10 };
  pricing: Pricing;
  /** Applied in the order given, after the base price. */
  modifiers?: Modifier[];
  /** A household without a QF: pays the highest tranche (the usual rule) or is refused a price. */
  missingQf?: 'highest' | 'refuse';
  /** Cost of the service per user and unit, the legal ceiling of a canteen price (décret 2006-753). */
  costPerUserCents?: number;
  /** The council decision (délibération) or any note. */
  note?: string;
  published?: { at: string; by: string; reason: string };
}

/** A bound of a QF tranche, in whole euros. */
export interface Bound {
  value: number;
  inclusive: boolean;
}

/** A QF bracket (tranche de QF); no `max` means no upper bound. */
export interface Tranche {
  id: string;
  min: Bound;
  max?: Bound;
}

export type Pricing = BracketPricing | EffortRatePricing | PsuPricing | FlatPricing;

/** Prices by QF tranche, optionally also by child rank and by residency: a matrix of up to 3 criteria. */
export interface BracketPricing {
  kind: 'brackets';
  tranches: Tranche[];
  columns?: {
    /** Rank columns, e.g. [1, 2, 3, 4]: the last one also prices every later child. */
    rank?: number[];
    /** Separate prices for residents and non-residents. */
    residency?: boolean;
  };
  prices: BracketPrice[];
}

export interface BracketPrice {
  tranche: string;
  rank?: number;
  resident?: boolean;
  priceCents: number;
}

/** price = base × rate, with optional floor and ceiling on the base and on the price (taux d'effort). */
export interface EffortRatePricing {
  kind: 'effort-rate';
  base: 'qf' | 'monthly-resources';
  /** Percent of the base, as an exact decimal: "0.5" means 0.5 %. */
  ratePercent: string;
  baseFloorCents?: number;
  baseCeilingCents?: number;
  priceFloorCents?: number;
  priceCeilingCents?: number;
}

/** The CNAF PSU barème for crèches (EAJE): an hourly price from monthly resources. */
export interface PsuPricing {
  kind: 'psu';
  /** Hourly effort rates in percent by number of dependent children (index 0 = 1 child; the last applies to more). */
  rates: DatedValue<string[]>[];
  /** Monthly resource floor (plancher), dated. */
  floors: DatedValue<number>[];
  /** Monthly resource ceiling (plafond), dated; a new one applies to running contracts from its date. */
  ceilings: DatedValue<number>[];
}

export interface DatedValue<T> {
  effectiveFrom: string;
  value: T;
}

export interface FlatPricing {
  kind: 'flat';
  priceCents: number;
}

export type Modifier = SiblingsModifier | NonResidentModifier | PaiModifier | PriceFloorModifier;

/** Lower prices for later children (fratrie): each step applies from a rank on. */
export interface SiblingsModifier {
  kind: 'siblings';
  steps: { fromRank: number; percentOff?: string; amountOffCents?: number }[];
}

/** Non-residents (hors commune) pay a surcharge, or a price of their own. */
export interface NonResidentModifier {
  kind: 'non-resident';
  surchargePercent?: string;
  surchargeCents?: number;
  priceCents?: number;
}

/** A child with a PAI who brings a packed meal pays this price, or a reduction. */
export interface PaiModifier {
  kind: 'pai';
  priceCents?: number;
  percentOff?: string;
}

/** No price below this one. */
export interface PriceFloorModifier {
  kind: 'price-floor';
  priceCents: number;
}

/** What a quote needs to know about a household and a child. */
export interface HouseholdFacts {
  /** Quotient familial in whole euros per month; absent when the household gave none. */
  qf?: number;
  /** Monthly resources in cents (PSU; effort rates on resources). */
  monthlyResourcesCents?: number;
  /** Annual resources of the reference year in cents, when monthly resources are not given. */
  annualResourcesCents?: number;
  /** Dependent children of the household (enfants à charge), for the PSU rate. */
  dependentChildren?: number;
  /** Children receiving AEEH in the household, even if not in care. */
  aeehChildren?: number;
  resident: boolean;
  /** 1 for the first child of the household in this service, 2 for the second, … */
  childRank?: number;
  pai?: boolean;
  /** Units consumed (meals, days, hours…); 1 when absent. */
  quantity?: number;
  /** PSU: hours per year under contract, for the monthly contract price (mensualisation). */
  contractHoursPerYear?: number;
}
