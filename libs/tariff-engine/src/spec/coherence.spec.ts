import fc from 'fast-check';
import { analyseVersion, compareBoundaries } from '../coherence';
import { CompiledBrackets } from '../compile-brackets';
import type { Tranche } from '../grid';
import { trancheCoverage } from '../validate-grid';
import { bracketVersion, canteenGrid, contiguousTranches } from './grid-fixtures';

const codes = (findings: { code: string }[]) => findings.map((f) => f.code);

describe('coherence analysis of one grid', () => {
  const version = bracketVersion(contiguousTranches([0, 500, 800, 1200]), [100, 250, 240, 500], {
    costPerUserCents: 450,
  });
  const report = analyseVersion(canteenGrid([version]), version, { maxQf: 2000 });

  it('finds a price that falls when QF rises', () => {
    const falls = report.findings.filter((f) => f.code === 'price-falls');
    expect(falls).toEqual([
      expect.objectContaining({ severity: 'error', qf: 800, figures: { fromCents: 250, toCents: 240 } }),
    ]);
  });

  it('measures the largest threshold effect in euros and percent', () => {
    const threshold = report.findings.find((f) => f.code === 'threshold');
    expect(threshold).toMatchObject({
      qf: 1200,
      figures: { fromCents: 240, toCents: 500, jumpCents: 260, jumpPercent: 108.33 },
      severity: 'warning',
    });
    expect(threshold?.message).toBe(
      'Effet de seuil : 2,40 € → 5,00 € (+2,60 €, +108,33 %) pour 1 € de QF en plus, à 1200 €.',
    );
  });

  it('flags prices above the cost per user, and gives the effective effort rate along the QF range', () => {
    expect(report.findings.find((f) => f.code === 'above-cost')).toMatchObject({
      qf: 1200,
      figures: { priceCents: 500, costPerUserCents: 450 },
    });
    expect(report.effortRateCurve[0]).toEqual({ qf: 100, priceCents: 100, effortRatePercent: 1 });
    expect(report.effortRateCurve.find((p) => p.qf === 1000)).toEqual({
      qf: 1000,
      priceCents: 240,
      effortRatePercent: 0.24,
    });
  });

  it('compares tranche boundaries across services', () => {
    const acm = bracketVersion(contiguousTranches([0, 500, 900]), [300, 500, 700]);
    const findings = compareBoundaries([
      { grid: canteenGrid([version], 'cantine'), version },
      { grid: canteenGrid([acm], 'acm'), version: acm },
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'Les tranches de cantine commencent à 800, 1200 € ; celles de acm non.',
      'Les tranches de acm commencent à 900 € ; celles de cantine non.',
    ]);
  });
});

/** Random contiguous tranches: sorted distinct lower bounds starting at 0. */
const lowerBounds = fc
  .uniqueArray(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 12 })
  .map((bounds) => [0, ...bounds.sort((a, b) => a - b)]);

describe('properties', () => {
  it('contiguous tranches cover every QF exactly once', () => {
    fc.assert(
      fc.property(lowerBounds, fc.integer({ min: 0, max: 6000 }), (bounds, qf) => {
        const tranches = contiguousTranches(bounds);
        expect(trancheCoverage({ kind: 'brackets', tranches, prices: [] })).toEqual([]);
        const holding = tranches.filter(
          (t) => qf >= t.min.value && (t.max === undefined || qf < t.max.value),
        );
        expect(holding).toHaveLength(1);
        const compiled = new CompiledBrackets({ kind: 'brackets', tranches, prices: [] });
        expect(tranches[compiled.trancheOf(qf)].id).toBe(holding[0].id);
      }),
    );
  });

  it('finds every planted gap and overlap', () => {
    fc.assert(
      fc.property(
        lowerBounds.filter((b) => b.length >= 2),
        fc.nat(),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        (bounds, pick, width, gap) => {
          const tranches: Tranche[] = contiguousTranches(bounds);
          const i = pick % (tranches.length - 1);
          const upper = tranches[i].max?.value ?? 0;
          // A gap: end tranche i earlier. An overlap: end it later than the next tranche's start.
          const end = gap ? Math.max(tranches[i].min.value, upper - width) : upper + width;
          tranches[i] = { ...tranches[i], max: { value: end, inclusive: false } };
          const version = bracketVersion(
            tranches,
            tranches.map(() => 100),
            { status: 'draft' },
          );
          const found = codes(analyseVersion(canteenGrid([version]), version, { maxQf: 100 }).findings);
          const planted = gap ? (end < upper ? 'gap' : null) : 'overlap';
          if (planted) expect(found).toContain(planted);
          else expect(found).not.toContain('gap');
        },
      ),
    );
  });

  it('finds every planted non-monotonic step', () => {
    fc.assert(
      fc.property(
        lowerBounds.filter((b) => b.length >= 2),
        fc.nat(),
        (bounds, pick) => {
          const prices = bounds.map((_, i) => 100 + 50 * i);
          const i = 1 + (pick % (bounds.length - 1));
          prices[i] = prices[i - 1] - 1; // the price falls at the start of tranche i
          const version = bracketVersion(contiguousTranches(bounds), prices);
          const report = analyseVersion(canteenGrid([version]), version, { maxQf: 4001 });
          expect(report.findings.filter((f) => f.code === 'price-falls').map((f) => f.qf)).toContain(
            bounds[i],
          );
        },
      ),
    );
  });
});
