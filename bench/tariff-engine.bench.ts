// Tariff engine benchmark: quotes per second (price alone, and with the explanation) and an impact
// simulation over 1 000 000 households, on one core (Node runs this on one thread).
// Run: npm run bench:tariffs — figures go to bench/results/tariff-engine.json.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  compileGrid,
  CompiledVersion,
  HouseholdFacts,
  PopulationMember,
  quote,
  quotePrice,
  simulateImpact,
  TariffGrid,
} from '@guichet/tariff-engine';

const tranches = [0, 300, 500, 700, 900, 1100, 1300, 1600, 2000, 2500];
function grid(version: number, shift: number): TariffGrid {
  return {
    format: 'guichet.tariff-grid/v1',
    id: 'bench-acm',
    name: 'Benchmark: ACM, QF × rank × residency',
    service: 'acm',
    unit: 'day',
    example: true,
    versions: [
      {
        version,
        status: 'published',
        effectiveFrom: '2026-01-01',
        rounding: { mode: 'half-up', stepCents: 1 },
        pricing: {
          kind: 'brackets',
          tranches: tranches.map((low, i) => ({
            id: `T${i + 1}`,
            min: { value: low, inclusive: true },
            ...(i + 1 < tranches.length ? { max: { value: tranches[i + 1], inclusive: false } } : {}),
          })),
          columns: { rank: [1, 2, 3, 4], residency: true },
          prices: tranches.flatMap((_, t) =>
            [1, 2, 3, 4].flatMap((rank) =>
              [true, false].map((resident) => ({
                tranche: `T${t + 1}`,
                rank,
                resident,
                priceCents: 300 + shift + 120 * t - 20 * (rank - 1) + (resident ? 0 : 500),
              })),
            ),
          ),
        },
        modifiers: [
          { kind: 'siblings', steps: [{ fromRank: 3, percentOff: '10' }] },
          { kind: 'pai', percentOff: '50' },
        ],
        published: { at: '2026-01-01T00:00:00Z', by: 'bench', reason: 'bench' },
      },
    ],
  };
}

function households(count: number, seed = 42): PopulationMember[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  return Array.from({ length: count }, (_, i) => {
    const facts: HouseholdFacts = {
      resident: random() < 0.9,
      childRank: 1 + Math.floor(random() * 4),
      pai: random() < 0.05,
      quantity: 1 + Math.floor(random() * 20),
    };
    if (random() < 0.97) facts.qf = Math.floor(random() * 3000);
    return { householdId: `hh-${i}`, facts };
  });
}

/** Runs `body` over the sample repeatedly for about `seconds`, returns operations per second. */
function opsPerSecond(
  sample: HouseholdFacts[],
  seconds: number,
  body: (facts: HouseholdFacts) => number,
): number {
  let sink = 0;
  for (let i = 0; i < 50_000; i++) sink += body(sample[i % sample.length]); // warm-up
  let ops = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - start < budget) {
    for (let i = 0; i < sample.length; i++) sink += body(sample[i]);
    ops += sample.length;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink === 42) console.log('');
  return Math.round(ops / elapsed);
}

const compiled = compileGrid(grid(1, 0));
const version = compiled.versionAt('2026-09-07');
const sample = households(100_000).map((m) => m.facts);
const date = '2026-09-07';

const priceOnly = opsPerSecond(sample, 3, (facts) => quotePrice(version, facts, date));
const withExplanation = opsPerSecond(sample, 3, (facts) => quote(compiled, date, facts).explanation.length);

const population = households(1_000_000, 7);
const draft = new CompiledVersion('bench-acm', grid(2, 15).versions[0]);
simulateImpact(version, draft, population.slice(0, 10_000), date); // warm-up
const runs: number[] = [];
let report: ReturnType<typeof simulateImpact> | undefined;
for (let i = 0; i < 3; i++) {
  const start = process.hrtime.bigint();
  report = simulateImpact(version, draft, population, date);
  runs.push(Number(process.hrtime.bigint() - start) / 1e6);
}
global.gc?.();
const memory = process.memoryUsage();

const results = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  },
  grid: '10 QF tranches × 4 ranks × residency, siblings and PAI modifiers',
  quotesPerSecond: {
    priceOnly,
    withExplanation,
    targets: { priceOnly: 2_000_000, withExplanation: 300_000 },
  },
  impactSimulation: {
    households: population.length,
    millisecondsPerRun: runs.map((ms) => Math.round(ms)),
    bestMilliseconds: Math.round(Math.min(...runs)),
    targetMilliseconds: 2000,
    revenueBeforeCents: report?.revenueBeforeCents,
    revenueAfterCents: report?.revenueAfterCents,
  },
  residentMemoryMiB: Math.round(memory.rss / 2 ** 20),
};
writeFileSync(join(__dirname, 'results', 'tariff-engine.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
