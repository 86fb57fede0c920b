// CNAF PSU barème for crèches. Every figure comes from shared/domain/REFERENCE.md §2, whose sources
// are named there: rates [lespetitescanailles.fr; vincennes.fr; suresnes.fr], ceilings
// [caf45-partenaires.fr; caf.fr 2025], floors [mesclesdubonheur.com; suresnes.fr], mensualisation [vincennes.fr].
import { compileGrid, quote, TariffGrid } from '../index';

const rates2022 = ['0.0619', '0.0516', '0.0413', '0.0310', '0.0310', '0.0310', '0.0310', '0.0206'];
const rates2021 = ['0.0615', '0.0512', '0.0410', '0.0307', '0.0307', '0.0307', '0.0307', '0.0205'];

const psuGrid: TariffGrid = {
  format: 'guichet.tariff-grid/v1',
  id: 'creche-psu',
  name: 'Multi-accueils (barème CNAF PSU)',
  service: 'creche',
  unit: 'hour',
  versions: [
    {
      version: 1,
      status: 'published',
      effectiveFrom: '2021-01-01',
      rounding: { mode: 'half-up', stepCents: 1 },
      pricing: {
        kind: 'psu',
        rates: [
          { effectiveFrom: '2021-01-01', value: rates2021 },
          { effectiveFrom: '2022-01-01', value: rates2022 },
        ],
        floors: [
          { effectiveFrom: '2021-01-01', value: 75416 },
          { effectiveFrom: '2025-01-01', value: 81462 },
        ],
        ceilings: [
          { effectiveFrom: '2021-01-01', value: 600000 },
          { effectiveFrom: '2024-09-01', value: 700000 },
          { effectiveFrom: '2025-09-01', value: 850000 },
        ],
      },
    },
  ],
};

const grid = compileGrid(psuGrid);
const household = { resident: true, dependentChildren: 2, monthlyResourcesCents: 300_000 };

describe('PSU barème', () => {
  it('prices an hour as monthly resources × the rate of the number of dependent children', () => {
    // 3 000,00 € × 0,0516 % = 1,548 € → 1,55 € (half-up)
    const q = quote(grid, '2025-10-01', household);
    expect(q.unitPriceCents).toBe(155);
    expect(q.explanation[0]).toBe(
      "Ressources mensuelles 3 000,00 € × taux d'effort 0,0516 % (2 enfants à charge) = 1,55 € de l'heure",
    );
  });

  it.each([
    [1, 186], // 0,0619 % → 1,857 €
    [2, 155], // 0,0516 %
    [3, 124], // 0,0413 % → 1,239 €
    [4, 93], // 0,0310 %
    [7, 93],
    [8, 62], // 0,0206 % → 0,618 €
    [11, 62],
  ])('uses the rate of %i dependent children', (children, cents) => {
    expect(quote(grid, '2025-10-01', { ...household, dependentChildren: children }).unitPriceCents).toBe(
      cents,
    );
  });

  it('moves a household with an AEEH child to the rate immediately below', () => {
    const q = quote(grid, '2025-10-01', { ...household, dependentChildren: 1, aeehChildren: 1 });
    expect(q.unitPriceCents).toBe(155); // the rate of 2 children
    expect(q.explanation[0]).toContain('dont un bénéficiaire de l’AEEH : taux de 2 enfants');
  });

  it('applies each ceiling from its date, to running contracts too', () => {
    const rich = { ...household, dependentChildren: 1, monthlyResourcesCents: 1_000_000 };
    expect(quote(grid, '2024-08-31', rich).unitPriceCents).toBe(371); // 6 000 € × 0,0619 % = 3,714 €
    expect(quote(grid, '2024-09-01', rich).unitPriceCents).toBe(433); // 7 000 € → 4,333 €
    expect(quote(grid, '2025-08-31', rich).unitPriceCents).toBe(433);
    const september = quote(grid, '2025-09-01', rich);
    expect(september.unitPriceCents).toBe(526); // 8 500 € → 5,2615 €
    expect(september.explanation[0]).toBe(
      'Ressources mensuelles ramenées au plafond CNAF de 8 500,00 € (au 01/09/2025)',
    );
  });

  it('raises resources to the floor, including a household without resources', () => {
    expect(
      quote(grid, '2026-01-15', { ...household, dependentChildren: 1, monthlyResourcesCents: 0 })
        .unitPriceCents,
    ).toBe(50); // 814,62 € × 0,0619 % = 0,504 €
    expect(
      quote(grid, '2023-06-01', { ...household, dependentChildren: 1, monthlyResourcesCents: 0 })
        .unitPriceCents,
    ).toBe(47); // 754,16 € → 0,4668 €
  });

  it('keeps the 2021 rates for 2021', () => {
    expect(quote(grid, '2021-06-01', { ...household, dependentChildren: 1 }).unitPriceCents).toBe(185); // 0,0615 % → 1,845 € → 1,85 €
  });

  it('computes the monthly contract: hours per year ÷ 12 × the hourly price', () => {
    // 230 days × 9 h = 2 070 h ÷ 12 = 172,5 h per month × 1,55 € = 267,375 € → 267,38 €
    const q = quote(grid, '2025-10-01', { ...household, contractHoursPerYear: 2070 });
    expect(q.monthlyContractCents).toBe(26738);
    expect(q.explanation.at(-1)).toBe(
      'Contrat de 2070 h par an ÷ 12 = 172,5 h par mois × 1,55 € = 267,38 € par mois',
    );
  });

  it('derives monthly resources from annual resources (base ressources annuelles ÷ 12)', () => {
    expect(
      quote(grid, '2025-10-01', { resident: true, dependentChildren: 2, annualResourcesCents: 3_600_000 })
        .unitPriceCents,
    ).toBe(155);
  });

  it('refuses a quote without resources or before the barème', () => {
    expect(() => quote(grid, '2025-10-01', { resident: true, dependentChildren: 2 })).toThrow(
      'ressources mensuelles',
    );
    expect(() => quote(grid, '2019-01-01', household)).toThrow("n'a pas de version en vigueur");
  });
});
