import fc from 'fast-check';
import { applyRatio, formatEuros, parseDecimal, roundCents } from './money';

describe('exact money', () => {
  it('parses decimals exactly and refuses anything else', () => {
    expect(parseDecimal('0.0619')).toEqual({ num: 619, den: 10000 });
    expect(parseDecimal('12')).toEqual({ num: 12, den: 1 });
    for (const bad of ['', '-1', '1e3', '0,5', '.5', 'NaN'])
      expect(() => parseDecimal(bad)).toThrow(RangeError);
  });

  it('rounds by the grid rule: half-up, half-even, truncate, up, and to 5 or 10 cents', () => {
    expect(roundCents(1525, 10, { mode: 'half-up', stepCents: 1 })).toBe(153);
    expect(roundCents(1525, 10, { mode: 'half-even', stepCents: 1 })).toBe(152);
    expect(roundCents(1535, 10, { mode: 'half-even', stepCents: 1 })).toBe(154);
    expect(roundCents(1529, 10, { mode: 'truncate', stepCents: 1 })).toBe(152);
    expect(roundCents(1521, 10, { mode: 'up', stepCents: 1 })).toBe(153);
    expect(roundCents(1525, 10, { mode: 'half-up', stepCents: 5 })).toBe(155);
    expect(roundCents(1520, 10, { mode: 'truncate', stepCents: 5 })).toBe(150);
    expect(roundCents(1550, 10, { mode: 'half-up', stepCents: 10 })).toBe(160);
  });

  it('never depends on floating-point noise: equals exact BigInt arithmetic', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 99_999_999 }),
        fc.constantFrom(1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 100_000_000),
        fc.constantFrom('half-up' as const, 'truncate' as const, 'up' as const, 'half-even' as const),
        fc.constantFrom(1, 5, 10),
        (cents, num, den, mode, stepCents) => {
          const exactNum = BigInt(cents) * BigInt(num);
          fc.pre(exactNum <= BigInt(Number.MAX_SAFE_INTEGER));
          const divisor = BigInt(den) * BigInt(stepCents);
          let q = exactNum / divisor;
          const r = exactNum % divisor;
          if (r > 0n) {
            if (mode === 'up') q += 1n;
            if (mode === 'half-up' && 2n * r >= divisor) q += 1n;
            if (mode === 'half-even' && (2n * r > divisor || (2n * r === divisor && q % 2n === 1n))) q += 1n;
          }
          expect(applyRatio(cents, { num, den }, { mode, stepCents })).toBe(Number(q) * stepCents);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('formats amounts as a family reads them', () => {
    expect(formatEuros(235)).toBe('2,35 €');
    expect(formatEuros(5)).toBe('0,05 €');
    expect(formatEuros(123456789)).toBe('1 234 567,89 €');
    expect(formatEuros(-50)).toBe('−0,50 €');
  });
});
