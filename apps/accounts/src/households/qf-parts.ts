/**
 * The municipal quotient familial, for households without a CAF or MSA one:
 * QF = (revenu fiscal de référence ÷ 12) ÷ parts (REFERENCE.md §3, "many cities use instead a
 * municipal QF"). Parts come from the household's composition by a rule set that is dated and
 * configurable, because sources disagree on the details (REFERENCE.md §3: coevrons.fr and
 * mes-allocs.fr give the rule below; some add only +0.5 from the third child on).
 */
export interface PartsRuleSet {
  /** A name that says where it comes from; kept with every computation. */
  name: string;
  /** First day it applies, YYYY-MM-DD. */
  validFrom: string;
  /** Parts of the adults: a single parent and a couple. */
  singleParent: number;
  couple: number;
  /** Parts of the 1st, 2nd, 3rd … child; children beyond the list get `furtherChild` each. */
  children: number[];
  furtherChild: number;
  /** Added for each child with a disability (AEEH). */
  disabledChild: number;
}

/**
 * The rule REFERENCE.md §3 states (a couple or a single parent = 2; 1st child +0.5; 2nd +0.5; 3rd +1;
 * each further +0.5; a child with a disability +0.5) [coevrons.fr; mes-allocs.fr].
 */
export const DEFAULT_PARTS_RULE_SETS: PartsRuleSet[] = [
  {
    name: 'caf-parts (REFERENCE.md §3: coevrons.fr, mes-allocs.fr)',
    validFrom: '2000-01-01',
    singleParent: 2,
    couple: 2,
    children: [0.5, 0.5, 1],
    furtherChild: 0.5,
    disabledChild: 0.5,
  },
];

export interface Composition {
  adults: 1 | 2;
  children: number;
  disabledChildren: number;
}

export interface MunicipalQf {
  value: number;
  parts: number;
  ruleSet: string;
  revenuFiscalReferenceCents: number;
}

/** The rule set in force on a date: the latest whose validFrom is on or before it. */
export function ruleSetOn(ruleSets: PartsRuleSet[], date: string): PartsRuleSet {
  const candidates = ruleSets
    .filter((r) => r.validFrom <= date)
    .sort((a, b) => b.validFrom.localeCompare(a.validFrom));
  if (candidates.length === 0) throw new RangeError(`no parts rule set applies on ${date}`);
  return candidates[0];
}

export function partsOf(composition: Composition, rules: PartsRuleSet): number {
  let parts = composition.adults === 2 ? rules.couple : rules.singleParent;
  for (let rank = 0; rank < composition.children; rank++) parts += rules.children[rank] ?? rules.furtherChild;
  return parts + composition.disabledChildren * rules.disabledChild;
}

/**
 * QF in whole euros per month, rounded down (a family never pays a tranche above its own because of
 * rounding). Amounts in cents, as everywhere.
 */
export function municipalQf(
  revenuFiscalReferenceCents: number,
  composition: Composition,
  rules: PartsRuleSet,
): MunicipalQf {
  const parts = partsOf(composition, rules);
  // Integer arithmetic: cents ÷ (12 × parts × 100), parts being multiples of 0.5.
  const value = Math.floor((revenuFiscalReferenceCents * 2) / (12 * 100 * Math.round(parts * 2)));
  return { value, parts, ruleSet: rules.name, revenuFiscalReferenceCents };
}

const isHalfMultiple = (value: unknown) =>
  typeof value === 'number' && value >= 0 && Number.isInteger(value * 2);

/** Reads QF_PARTS_RULES (a JSON array of rule sets): the rule sets, or what is wrong with them. */
export function parsePartsRuleSets(text: string): PartsRuleSet[] | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'is not JSON';
  }
  if (!Array.isArray(value) || value.length === 0) return 'must be a non-empty JSON array of rule sets';
  for (const [index, set] of (value as Partial<PartsRuleSet>[]).entries()) {
    const where = `rule set ${index + 1}`;
    if (typeof set.name !== 'string' || !set.name) return `${where}: name is required`;
    if (typeof set.validFrom !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(set.validFrom))
      return `${where}: validFrom must read YYYY-MM-DD`;
    const parts = [
      set.singleParent,
      set.couple,
      set.furtherChild,
      set.disabledChild,
      ...(Array.isArray(set.children) ? set.children : [undefined]),
    ];
    if (!parts.every(isHalfMultiple))
      return `${where}: parts must be multiples of 0.5 (singleParent, couple, children[], furtherChild, disabledChild)`;
  }
  return value as PartsRuleSet[];
}
