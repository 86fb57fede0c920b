import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateGrid } from '../validate-grid';
import { bracketVersion, canteenGrid, contiguousTranches } from './grid-fixtures';

const valid = canteenGrid([bracketVersion(contiguousTranches([0, 500, 1000]), [100, 250, 400])]);
const fields = (input: unknown) => validateGrid(input).map((p) => p.field);

describe('validateGrid', () => {
  it('accepts a well-formed grid, which survives a JSON round trip unchanged', () => {
    expect(validateGrid(valid)).toEqual([]);
    const exported = JSON.stringify(valid);
    expect(validateGrid(JSON.parse(exported))).toEqual([]);
    expect(JSON.parse(exported)).toEqual(valid);
  });

  it('names the field of a shape error, from the JSON Schema', () => {
    const broken = structuredClone(valid) as unknown as {
      versions: { rounding: { mode: string }; pricing: { prices: { priceCents: number }[] } }[];
    };
    broken.versions[0].rounding.mode = 'bankers';
    broken.versions[0].pricing.prices[1].priceCents = 2.5;
    expect(fields(broken)).toEqual(
      expect.arrayContaining(['versions[0].rounding.mode', 'versions[0].pricing.prices[1].priceCents']),
    );
    expect(fields({ ...valid, colour: 'blue' })).toEqual(['colour']);
  });

  it('refuses a published version with a gap or an overlap, but lets a draft have them', () => {
    const gap = [
      { id: 'A', min: { value: 0, inclusive: true }, max: { value: 499, inclusive: true } },
      { id: 'B', min: { value: 501, inclusive: true } },
    ];
    expect(validateGrid(canteenGrid([bracketVersion(gap, [100, 200])]))).toEqual([
      { field: 'versions[0].pricing.tranches', message: 'gap: no tranche for QF 500 €' },
    ]);
    expect(
      validateGrid(canteenGrid([bracketVersion(gap, [100, 200], { status: 'draft', published: undefined })])),
    ).toEqual([]);
  });

  it('wants a price for every cell of the matrix, and only those', () => {
    const version = bracketVersion(contiguousTranches([0, 500]), [100, 200]);
    if (version.pricing.kind !== 'brackets') throw new Error('fixture');
    version.pricing.prices = [
      { tranche: 'T1', priceCents: 100 },
      { tranche: 'T9', priceCents: 5 },
    ];
    expect(validateGrid(canteenGrid([version])).map((p) => p.message)).toEqual([
      'no such cell: tranche T9',
      'missing price for tranche T2',
    ]);
  });

  it('refuses two published versions that apply on the same day, and impossible dates', () => {
    const first = bracketVersion(contiguousTranches([0]), [100], { effectiveUntil: '2027-01-31' });
    const second = bracketVersion(contiguousTranches([0]), [110], {
      version: 2,
      effectiveFrom: '2027-01-01',
    });
    expect(validateGrid(canteenGrid([first, second]))).toEqual([
      {
        field: 'versions[1].effectiveFrom',
        message: 'published versions 1 and 2 would both apply on 2027-01-01',
      },
    ]);
    expect(
      fields(canteenGrid([bracketVersion(contiguousTranches([0]), [100], { effectiveFrom: '2026-02-30' })])),
    ).toEqual(['versions[0].effectiveFrom']);
  });

  it('ships a JSON Schema that is valid JSON with the format’s name', () => {
    const schema = JSON.parse(
      readFileSync(join(__dirname, '..', '..', 'schema', 'tariff-grid.v1.schema.json'), 'utf8'),
    );
    expect(schema.properties.format.const).toBe('guichet.tariff-grid/v1');
  });
});
