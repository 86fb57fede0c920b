import { CompiledVersion } from '../compile-version';
import { PopulationMember, simulateImpact } from '../impact';
import { bracketVersion, contiguousTranches } from './grid-fixtures';

const current = new CompiledVersion(
  'cantine',
  bracketVersion(contiguousTranches([0, 500, 1000]), [100, 250, 400]),
);
const draft = new CompiledVersion(
  'cantine',
  bracketVersion(contiguousTranches([0, 500, 1000]), [80, 260, 450], {
    version: 2,
    effectiveFrom: '2027-01-01',
  }),
);

describe('impact simulation of a draft against the version in force', () => {
  // 20 households at QF 0, 100, …, 1900 eating 10 meals, and one without QF eating 4.
  const population: PopulationMember[] = [
    ...Array.from({ length: 20 }, (_, i) => ({
      householdId: `hh-${i}`,
      facts: { qf: i * 100, resident: true, quantity: 10 },
    })),
    { householdId: 'hh-noqf', facts: { resident: true, quantity: 4 } },
  ];
  const report = simulateImpact(current, draft, population, '2027-01-04');

  it('sums revenue before and after, and counts who pays more or less', () => {
    // before: 5 × 1000 + 5 × 2500 + 10 × 4000 + 4 × 400 = 59 100; after: 5 × 800 + 5 × 2600 + 10 × 4500 + 4 × 450 = 63 800
    expect(report).toMatchObject({
      households: 21,
      unpriced: 0,
      revenueBeforeCents: 59_100,
      revenueAfterCents: 63_800,
      payMore: 16,
      payLess: 5,
      unchanged: 0,
    });
  });

  it('names the largest individual increase', () => {
    expect(report.largestIncrease).toEqual({ householdId: 'hh-10', beforeCents: 4000, afterCents: 4500 });
  });

  it('gives the change per QF decile, lowest QF first, households without QF apart', () => {
    expect(report.deciles).toHaveLength(10);
    expect(report.deciles[0]).toEqual({
      decile: 1,
      qfFrom: 0,
      qfTo: 100,
      households: 2,
      beforeCents: 2000,
      afterCents: 1600,
      meanChangeCents: -200,
    });
    expect(report.deciles[9]).toEqual({
      decile: 10,
      qfFrom: 1800,
      qfTo: 1900,
      households: 2,
      beforeCents: 8000,
      afterCents: 9000,
      meanChangeCents: 500,
    });
    expect(report.withoutQf).toEqual({ households: 1, beforeCents: 1600, afterCents: 1800 });
  });

  it('counts the households a version cannot price instead of failing', () => {
    const strict = new CompiledVersion(
      'cantine',
      bracketVersion(contiguousTranches([0]), [100], { missingQf: 'refuse' }),
    );
    expect(simulateImpact(current, strict, population, '2027-01-04').unpriced).toBe(1);
  });
});
