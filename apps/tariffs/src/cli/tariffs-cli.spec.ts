import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePopulation } from '@guichet/tariff-engine';
import { run } from './tariffs-cli';

const demo = (name: string) => join(__dirname, '..', '..', 'demo', `${name}.grid.json`);

describe('tariffs CLI', () => {
  it('finds the demo grids valid, and says what is wrong with a broken one', () => {
    for (const name of ['cantine', 'acm', 'creche-psu'])
      expect(run(['validate', demo(name)])).toEqual({ output: `${demo(name)}: valid`, exitCode: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'grid-'));
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ format: 'guichet.tariff-grid/v1', id: 'x' }));
    const result = run(['validate', join(dir, 'broken.json')]);
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain("must have required property 'versions'");
  });

  it('quotes a household with the explanation', () => {
    const { output } = run([
      'quote',
      demo('cantine'),
      '--date',
      '2026-09-07',
      '--household',
      '{"qf": 742, "resident": true, "childRank": 3, "quantity": 4}',
    ]);
    expect(output.split('\n')).toEqual([
      'demo-cantine v1, 2026-09-07',
      '  QF 742 € → tranche T4 (700 à 899 €) : 2,90 €',
      '  3e enfant −20 % : 2,32 €',
      '  4 repas × 2,32 € = 9,28 €',
    ]);
  });

  it('runs the coherence analysis with a comparison across services', () => {
    const report = JSON.parse(
      run(['coherence', demo('cantine'), '--date', '2026-09-07', '--compare', demo('acm')]).output,
    );
    expect(report.findings.find((f: { code: string }) => f.code === 'threshold')).toMatchObject({
      qf: 1800,
      figures: { jumpCents: 180 },
    });
    expect(report.acrossServices.map((f: { gridId: string }) => f.gridId)).toEqual([
      'demo-cantine',
      'demo-acm',
    ]);
  });

  it('simulates a draft over a CSV population', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    const grid = JSON.parse(readFileSync(demo('cantine'), 'utf8'));
    grid.versions.push({
      ...grid.versions[0],
      version: 2,
      status: 'draft',
      effectiveFrom: '2027-01-01',
      published: undefined,
      modifiers: [],
    });
    writeFileSync(join(dir, 'grid.json'), JSON.stringify(grid));
    writeFileSync(
      join(dir, 'population.csv'),
      'householdId,resident,qf,childRank,quantity\nh1,true,742,3,10\nh2,true,,1,5\n',
    );
    const report = JSON.parse(
      run([
        'simulate',
        join(dir, 'grid.json'),
        '--draft',
        '2',
        '--population',
        join(dir, 'population.csv'),
        '--date',
        '2026-09-07',
      ]).output,
    );
    // h1: 3rd child loses its −20 %: 23,20 € → 29,00 €; h2 without QF pays the top tranche either way: 35,00 €.
    expect(report).toMatchObject({
      households: 2,
      revenueBeforeCents: 2320 + 3500,
      revenueAfterCents: 2900 + 3500,
      payMore: 1,
      unchanged: 1,
    });
  });

  it('refuses a malformed population line, naming it', () => {
    expect(() => parsePopulation('householdId,resident,qf\nh1,true,7.5\n', 'csv')).toThrow(
      'line 2: qf must be a whole number',
    );
  });
});
