// Money is an integer number of cents; rates and percentages are exact decimals. No price is ever a
// floating-point number: every division is an integer division rounded by the grid's rule.

/** An exact non-negative decimal, numerator / denominator (a power of ten). */
export interface Ratio {
  readonly num: number;
  readonly den: number;
}

const DECIMAL = /^(\d{1,9})(?:\.(\d{1,8}))?$/;

/** Reads "0.0619" as 619/10000 exactly. Throws on anything that is not a plain decimal. */
export function parseDecimal(text: string): Ratio {
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`"${text}" is not a decimal number such as 12 or 0.0619`);
  const fraction = match[2] ?? '';
  return { num: Number(match[1] + fraction), den: 10 ** fraction.length };
}

export type RoundingMode = 'half-up' | 'half-even' | 'truncate' | 'up';

/** How a grid turns an exact amount into cents: the mode, and the step (1, 5 or 10 cents). */
export interface Rounding {
  mode: RoundingMode;
  stepCents: number;
}

export const DEFAULT_ROUNDING: Rounding = { mode: 'half-up', stepCents: 1 };

/**
 * Rounds the exact amount num/den cents to a multiple of the rounding step. Both operands must be
 * non-negative safe integers; the result is exact (no floating-point error can change it).
 */
export function roundCents(num: number, den: number, rounding: Rounding): number {
  const divisor = den * rounding.stepCents;
  let quotient = Math.floor(num / divisor);
  let remainder = num - quotient * divisor;
  // Correct the float division when it rounded across an integer.
  if (remainder < 0) {
    quotient -= 1;
    remainder += divisor;
  } else if (remainder >= divisor) {
    quotient += 1;
    remainder -= divisor;
  }
  if (remainder > 0) {
    switch (rounding.mode) {
      case 'up':
        quotient += 1;
        break;
      case 'half-up':
        if (2 * remainder >= divisor) quotient += 1;
        break;
      case 'half-even':
        if (2 * remainder > divisor || (2 * remainder === divisor && quotient % 2 === 1)) quotient += 1;
        break;
      case 'truncate':
        break;
    }
  }
  return quotient * rounding.stepCents;
}

/** amount × ratio, rounded: e.g. a percentage of a price, or resources × an effort rate. */
export function applyRatio(amountCents: number, ratio: Ratio, rounding: Rounding): number {
  return roundCents(amountCents * ratio.num, ratio.den, rounding);
}

/** "2,35 €", "1 234,50 €": how a family reads an amount. */
export function formatEuros(cents: number): string {
  const sign = cents < 0 ? '−' : '';
  const abs = Math.abs(cents);
  const euros = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${sign}${euros},${String(abs % 100).padStart(2, '0')} €`;
}

/** "0,0619 %" from "0.0619". */
export function formatDecimalFr(text: string): string {
  return text.replace('.', ',');
}
