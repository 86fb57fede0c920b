// QF brackets, from grids published by other cities (shared/domain/REFERENCE.md §5):
// Paris canteen 2020 [cde7.fr], Bubry canteen 2023 [bubry.fr], and the issue's own example.
import { compileGrid, quote, TariffGrid, Tranche } from '../index';

const closed = (id: string, min: number, max?: number): Tranche => ({
  id,
  min: { value: min, inclusive: true },
  ...(max === undefined ? {} : { max: { value: max, inclusive: true } }),
});

function bracketGrid(
  id: string,
  tranches: Tranche[],
  prices: number[],
  extra: Partial<TariffGrid['versions'][0]> = {},
): TariffGrid {
  return {
    format: 'guichet.tariff-grid/v1',
    id,
    name: id,
    service: 'cantine',
    unit: 'meal',
    versions: [
      {
        version: 1,
        status: 'published',
        effectiveFrom: '2023-09-01',
        rounding: { mode: 'half-up', stepCents: 1 },
        pricing: {
          kind: 'brackets',
          tranches,
          prices: tranches.map((t, i) => ({ tranche: t.id, priceCents: prices[i] })),
        },
        ...extra,
      },
    ],
  };
}

describe('Paris canteen (cde7.fr 2020), T1 to T6', () => {
  const paris = compileGrid(
    bracketGrid(
      'paris',
      [
        closed('T1', 0, 234),
        closed('T2', 235, 384),
        closed('T3', 385, 548),
        closed('T4', 549, 959),
        closed('T5', 960, 1370),
        closed('T6', 1371, 1900),
      ],
      [13, 85, 162, 228, 362, 461],
    ),
  );

  it.each([
    [0, 13],
    [234, 13],
    [235, 85],
    [742, 228],
    [959, 228],
    [960, 362],
    [1900, 461],
  ])('QF %i € pays %i cents', (qf, cents) => {
    expect(quote(paris, '2023-10-02', { qf, resident: true }).unitPriceCents).toBe(cents);
  });

  it('explains the tranche', () => {
    expect(quote(paris, '2023-10-02', { qf: 742, resident: true, quantity: 4 }).explanation).toEqual([
      'QF 742 € → tranche T4 (549 à 959 €) : 2,28 €',
      '4 repas × 2,28 € = 9,12 €',
    ]);
  });

  it('gives no price for a QF that no tranche holds (T7–T10 are not in the reference)', () => {
    expect(() => quote(paris, '2023-10-02', { qf: 2500, resident: true })).toThrow('Aucune tranche');
  });
});

describe('Bubry canteen 2023 (bubry.fr): third child half price, PAI 0,64 €', () => {
  const bubry = compileGrid(
    bracketGrid(
      'bubry',
      [closed('1', 0, 599), closed('2', 600, 999), closed('3', 1000, 1499), closed('4', 1500)],
      [100, 305, 310, 315],
      {
        modifiers: [
          { kind: 'siblings', steps: [{ fromRank: 3, percentOff: '50' }] },
          { kind: 'pai', priceCents: 64 },
        ],
      },
    ),
  );

  it('prices the tranches', () => {
    expect(
      [0, 599, 600, 1499, 1500, 9000].map(
        (qf) => quote(bubry, '2023-09-04', { qf, resident: true }).unitPriceCents,
      ),
    ).toEqual([100, 100, 305, 310, 315, 315]);
  });

  it('halves the third child and later, rounding half-up to the cent', () => {
    const third = quote(bubry, '2023-09-04', { qf: 650, resident: true, childRank: 3 });
    expect(third.unitPriceCents).toBe(153); // 3,05 € ÷ 2 = 1,525 €
    expect(third.explanation).toEqual([
      'QF 650 € → tranche 2 (600 à 999 €) : 3,05 €',
      '3e enfant −50 % : 1,53 €',
    ]);
    expect(quote(bubry, '2023-09-04', { qf: 650, resident: true, childRank: 5 }).unitPriceCents).toBe(153);
    expect(quote(bubry, '2023-09-04', { qf: 650, resident: true, childRank: 2 }).unitPriceCents).toBe(305);
  });

  it('charges the PAI price for a packed meal', () => {
    const q = quote(bubry, '2023-09-04', { qf: 1200, resident: true, pai: true });
    expect(q.unitPriceCents).toBe(64);
    expect(q.explanation.at(-1)).toBe('PAI (panier repas fourni) : 0,64 €');
  });

  it('prices a household without QF at the highest tranche, or refuses when the grid says so', () => {
    const q = quote(bubry, '2023-09-04', { resident: true });
    expect(q.unitPriceCents).toBe(315);
    expect(q.explanation[0]).toBe('QF non fourni → tranche la plus haute 4 (1500 € et plus) : 3,15 €');
    const strict = compileGrid(bracketGrid('strict', [closed('A', 0)], [100], { missingQf: 'refuse' }));
    expect(() => quote(strict, '2023-09-04', { resident: true })).toThrow('quotient familial est nécessaire');
  });
});

describe('the example of the tariff engine issue', () => {
  it('reads "QF 742 € → tranche 4 (701-900 €) : 2,35 € ; 2e enfant −10 % : 2,12 €"', () => {
    const grid = compileGrid(
      bracketGrid(
        'issue',
        [
          closed('1', 0, 300),
          closed('2', 301, 500),
          closed('3', 501, 700),
          closed('4', 701, 900),
          closed('5', 901),
        ],
        [100, 150, 200, 235, 300],
        {
          modifiers: [{ kind: 'siblings', steps: [{ fromRank: 2, percentOff: '10' }] }],
        },
      ),
    );
    const q = quote(grid, '2026-09-01', { qf: 742, resident: true, childRank: 2 });
    expect(q.explanation).toEqual([
      'QF 742 € → tranche 4 (701 à 900 €) : 2,35 €',
      '2e enfant −10 % : 2,12 €',
    ]);
    expect(q.unitPriceCents).toBe(212); // 2,35 € × 0,9 = 2,115 € → 2,12 €
  });
});

describe('exclusive bounds and a QF × rank × residency matrix (holiday centre shape, §5)', () => {
  const grid = compileGrid({
    format: 'guichet.tariff-grid/v1',
    id: 'acm',
    name: 'ACM',
    service: 'acm',
    unit: 'day',
    versions: [
      {
        version: 1,
        status: 'published',
        effectiveFrom: '2026-01-01',
        rounding: { mode: 'truncate', stepCents: 5 },
        pricing: {
          kind: 'brackets',
          tranches: [
            { id: 'A', min: { value: 0, inclusive: true }, max: { value: 500, inclusive: false } },
            { id: 'B', min: { value: 500, inclusive: true } },
          ],
          columns: { rank: [1, 2, 3], residency: true },
          prices: ['A', 'B'].flatMap((tranche, t) =>
            [1, 2, 3].flatMap((rank) =>
              [true, false].map((resident) => ({
                tranche,
                rank,
                resident,
                priceCents: 500 + 300 * t - 50 * (rank - 1) + (resident ? 0 : 400),
              })),
            ),
          ),
        },
      },
    ],
  });

  it('puts 499 in A and 500 in B, reads the rank and residency columns, and uses the last rank for later children', () => {
    const at = (qf: number, childRank: number, resident: boolean) =>
      quote(grid, '2026-07-06', { qf, childRank, resident }).unitPriceCents;
    expect(at(499, 1, true)).toBe(500);
    expect(at(500, 1, true)).toBe(800);
    expect(at(500, 2, true)).toBe(750);
    expect(at(500, 3, false)).toBe(1100);
    expect(at(500, 6, false)).toBe(1100);
    expect(quote(grid, '2026-07-06', { qf: 500, childRank: 2, resident: false }).explanation).toEqual([
      'QF 500 € → tranche B (500 € et plus), 2e enfant, non-résident : 11,50 €',
    ]);
  });
});
