// Effort-rate canteens, adopted to remove threshold effects (shared/domain/REFERENCE.md §5): Séné 2023
// has a floor of 1,00 € and a ceiling of 5,97 € [sene.bzh]. Its rate is not in the reference: 0,5 % of
// the QF below is an illustration, not Séné's figure. Non-resident 12 € is Nîmes's 2022 canteen
// price for households outside the city (§4, midilibre.fr 2022-12-01).
import { compileGrid, quote, TariffGrid } from '../index';

const grid: TariffGrid = {
  format: 'guichet.tariff-grid/v1',
  id: 'cantine-taux-effort',
  name: 'Restauration scolaire au taux d’effort',
  service: 'cantine',
  unit: 'meal',
  versions: [
    {
      version: 1,
      status: 'published',
      effectiveFrom: '2026-09-01',
      rounding: { mode: 'half-up', stepCents: 1 },
      pricing: {
        kind: 'effort-rate',
        base: 'qf',
        ratePercent: '0.5',
        priceFloorCents: 100,
        priceCeilingCents: 597,
      },
      modifiers: [{ kind: 'non-resident', priceCents: 1200 }],
    },
  ],
};
const compiled = compileGrid(grid);

describe('effort rate with a floor and a ceiling on the price', () => {
  it('prices QF × rate between the bounds', () => {
    const q = quote(compiled, '2026-09-07', { qf: 742, resident: true });
    expect(q.unitPriceCents).toBe(371); // 742 € × 0,5 % = 3,71 €
    expect(q.explanation).toEqual(["QF 742 € × taux d'effort 0,5 % = 3,71 €"]);
  });

  it('applies the floor (1,00 €) and the ceiling (5,97 €)', () => {
    expect(quote(compiled, '2026-09-07', { qf: 100, resident: true }).explanation).toEqual([
      "QF 100 € × taux d'effort 0,5 % = 0,50 €",
      'Prix plancher : 1,00 €',
    ]);
    expect(quote(compiled, '2026-09-07', { qf: 2000, resident: true }).unitPriceCents).toBe(597);
  });

  it('rises by at most one cent for one euro of QF: no threshold effect', () => {
    let previous = quote(compiled, '2026-09-07', { qf: 0, resident: true }).unitPriceCents;
    for (let qf = 1; qf <= 1500; qf++) {
      const price = quote(compiled, '2026-09-07', { qf, resident: true }).unitPriceCents;
      expect(price - previous).toBeGreaterThanOrEqual(0);
      expect(price - previous).toBeLessThanOrEqual(1);
      previous = price;
    }
  });

  it('gives the highest price to a household without QF, and non-residents their own price', () => {
    expect(quote(compiled, '2026-09-07', { resident: true }).unitPriceCents).toBe(597);
    expect(quote(compiled, '2026-09-07', { qf: 742, resident: false }).explanation.at(-1)).toBe(
      'Tarif non-résident : 12,00 €',
    );
  });

  it('bounds the base when the grid says so (resources between a floor and a ceiling)', () => {
    const onResources = compileGrid({
      ...grid,
      versions: [
        {
          ...grid.versions[0],
          pricing: {
            kind: 'effort-rate',
            base: 'monthly-resources',
            ratePercent: '0.1',
            baseFloorCents: 80_000,
            baseCeilingCents: 500_000,
          },
          modifiers: [],
        },
      ],
    });
    expect(
      quote(onResources, '2026-09-07', { monthlyResourcesCents: 20_000, resident: true }).unitPriceCents,
    ).toBe(80); // 800 € × 0,1 %
    expect(
      quote(onResources, '2026-09-07', { monthlyResourcesCents: 900_000, resident: true }).explanation,
    ).toEqual([
      'Ressources mensuelles ramenées au plafond de 5 000,00 €',
      "Ressources mensuelles 5 000,00 € × taux d'effort 0,1 % = 5,00 €",
    ]);
  });
});
