import { DEFAULT_PARTS_RULE_SETS, municipalQf, PartsRuleSet, partsOf, ruleSetOn } from './qf-parts';

// Worked examples of the rule of REFERENCE.md §3 (couple or single parent 2; children +0.5, +0.5, +1,
// then +0.5 each; disability +0.5), QF = RFR ÷ 12 ÷ parts, rounded down to the euro.
const rules = ruleSetOn(DEFAULT_PARTS_RULE_SETS, '2026-09-01');

describe('municipal quotient familial from the revenu fiscal de référence', () => {
  it('couple with two children, RFR 36 000 €: 3 parts, QF 1 000', () => {
    expect(municipalQf(3_600_000, { adults: 2, children: 2, disabledChildren: 0 }, rules)).toMatchObject({
      parts: 3,
      value: 1000,
    });
  });

  it('single parent with three children, RFR 27 000 €: 4 parts, 562.50 rounded down to 562', () => {
    expect(municipalQf(2_700_000, { adults: 1, children: 3, disabledChildren: 0 }, rules)).toMatchObject({
      parts: 4,
      value: 562,
    });
  });

  it('couple with four children, one with AEEH, RFR 48 000 €: 5 parts, QF 800', () => {
    expect(municipalQf(4_800_000, { adults: 2, children: 4, disabledChildren: 1 }, rules)).toMatchObject({
      parts: 5,
      value: 800,
    });
  });

  it('single adult without children, RFR 0: 2 parts, QF 0', () => {
    expect(municipalQf(0, { adults: 1, children: 0, disabledChildren: 0 }, rules)).toMatchObject({
      parts: 2,
      value: 0,
    });
  });

  it('takes the rule set in force on the date: a city that counts the third child +0.5 from 2027', () => {
    const halfFromThird: PartsRuleSet = {
      ...rules,
      name: 'city 2027',
      validFrom: '2027-01-01',
      children: [0.5, 0.5, 0.5],
    };
    const sets = [...DEFAULT_PARTS_RULE_SETS, halfFromThird];
    const couple3 = { adults: 2 as const, children: 3, disabledChildren: 0 };
    expect(partsOf(couple3, ruleSetOn(sets, '2026-12-31'))).toBe(4);
    expect(partsOf(couple3, ruleSetOn(sets, '2027-01-01'))).toBe(3.5);
    // RFR 36 000 €: 750 under the default rule, 857.14 → 857 under the city's.
    expect(municipalQf(3_600_000, couple3, ruleSetOn(sets, '2027-03-01'))).toMatchObject({
      value: 857,
      ruleSet: 'city 2027',
    });
    expect(municipalQf(3_600_000, couple3, ruleSetOn(sets, '2026-03-01')).value).toBe(750);
    expect(() => ruleSetOn(sets, '1999-12-31')).toThrow(RangeError);
  });
});
