// Small grids for the engine's tests. Figures are illustrations unless a test names their source.
import type { GridVersion, TariffGrid, Tranche } from '../grid';

export const PUBLISHED = {
  at: '2026-06-30T10:00:00Z',
  by: 'finance@example.fr',
  reason: 'Délibération 2026-042',
};

/** Contiguous tranches from lower bounds: [0, b1), [b1, b2), …, [bn, ∞). */
export function contiguousTranches(lowerBounds: number[]): Tranche[] {
  return lowerBounds.map((low, i) => ({
    id: `T${i + 1}`,
    min: { value: low, inclusive: true },
    ...(i + 1 < lowerBounds.length ? { max: { value: lowerBounds[i + 1], inclusive: false } } : {}),
  }));
}

export function bracketVersion(
  tranches: Tranche[],
  prices: number[],
  extra: Partial<GridVersion> = {},
): GridVersion {
  return {
    version: 1,
    status: 'published',
    effectiveFrom: '2026-09-01',
    rounding: { mode: 'half-up', stepCents: 1 },
    pricing: {
      kind: 'brackets',
      tranches,
      prices: tranches.map((t, i) => ({ tranche: t.id, priceCents: prices[i] })),
    },
    published: PUBLISHED,
    ...extra,
  };
}

export function canteenGrid(versions: GridVersion[], id = 'cantine'): TariffGrid {
  return {
    format: 'guichet.tariff-grid/v1',
    id,
    name: 'Restauration scolaire',
    service: 'cantine',
    unit: 'meal',
    example: true,
    versions,
  };
}
