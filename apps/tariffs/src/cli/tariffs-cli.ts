// The finance staff's offline tool: validate a grid file, quote a household, run the coherence
// analysis, simulate a draft over a population. Usage: npm run tariffs -- <command> … (see README).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  analyseVersion,
  compareBoundaries,
  compileGrid,
  CompiledVersion,
  HouseholdFacts,
  parsePopulation,
  quote,
  QuoteError,
  simulateImpact,
  TariffGrid,
  validateGrid,
} from '@guichet/tariff-engine';

const USAGE = `usage:
  tariffs validate <grid.json>
  tariffs quote <grid.json> --household '<facts JSON>' [--date YYYY-MM-DD] [--json]
  tariffs coherence <grid.json> [--version N] [--compare other.json …] [--max-qf 3000]
  tariffs simulate <grid.json> --draft N --population <file.csv|file.json> [--date YYYY-MM-DD]`;

class UsageError extends Error {}

function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
}

function readGrid(path: string): TariffGrid {
  const grid: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const problems = validateGrid(grid);
  if (problems.length > 0) {
    throw new UsageError(
      `${path} is not a valid grid:\n${problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`,
    );
  }
  return grid as TariffGrid;
}

function versionOf(grid: TariffGrid, number: string | undefined, date: string) {
  if (number === undefined) return compileGrid(grid).versionAt(date).definition;
  const version = grid.versions.find((v) => v.version === Number(number));
  if (!version) throw new UsageError(`${grid.id} has no version ${number}`);
  return version;
}

export function run(argv: string[]): { output: string; exitCode: number } {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      household: { type: 'string' },
      date: { type: 'string' },
      json: { type: 'boolean' },
      version: { type: 'string' },
      compare: { type: 'string', multiple: true },
      'max-qf': { type: 'string' },
      draft: { type: 'string' },
      population: { type: 'string' },
    },
  });
  const [command, file] = positionals;
  if (!command || !file) throw new UsageError(USAGE);
  const date = values.date ?? today();

  switch (command) {
    case 'validate': {
      const problems = validateGrid(JSON.parse(readFileSync(file, 'utf8')));
      const output =
        problems.length === 0 ? `${file}: valid` : problems.map((p) => `${p.field}: ${p.message}`).join('\n');
      return { output, exitCode: problems.length === 0 ? 0 : 1 };
    }
    case 'quote': {
      if (!values.household)
        throw new UsageError('quote needs --household \'{"qf": 742, "resident": true}\'');
      const facts = JSON.parse(values.household) as HouseholdFacts;
      const result = quote(compileGrid(readGrid(file)), date, facts);
      const output = values.json
        ? JSON.stringify(result, null, 2)
        : [
            `${result.gridId} v${result.version}, ${result.date}`,
            ...result.explanation.map((line) => `  ${line}`),
          ].join('\n');
      return { output, exitCode: 0 };
    }
    case 'coherence': {
      const grid = readGrid(file);
      const version = versionOf(grid, values.version, date);
      const report = analyseVersion(grid, version, {
        maxQf: values['max-qf'] ? Number(values['max-qf']) : undefined,
      });
      const others = (values.compare ?? []).map((path) => {
        const other = readGrid(path);
        return { grid: other, version: versionOf(other, undefined, date) };
      });
      const acrossServices = others.length ? compareBoundaries([{ grid, version }, ...others]) : [];
      return { output: JSON.stringify({ ...report, acrossServices }, null, 2), exitCode: 0 };
    }
    case 'simulate': {
      if (!values.draft || !values.population)
        throw new UsageError('simulate needs --draft N and --population FILE');
      const grid = readGrid(file);
      const current = compileGrid(grid).versionAt(date);
      const draft = new CompiledVersion(grid.id, versionOf(grid, values.draft, date));
      const population = parsePopulation(
        readFileSync(values.population, 'utf8'),
        values.population.endsWith('.csv') ? 'csv' : 'json',
      );
      return {
        output: JSON.stringify(simulateImpact(current, draft, population, date), null, 2),
        exitCode: 0,
      };
    }
    default:
      throw new UsageError(USAGE);
  }
}

if (require.main === module) {
  try {
    const { output, exitCode } = run(process.argv.slice(2));
    process.stdout.write(`${output}\n`);
    process.exitCode = exitCode;
  } catch (error) {
    const known = error instanceof UsageError || error instanceof QuoteError || error instanceof SyntaxError;
    process.stderr.write(`${known ? (error as Error).message : String((error as Error).stack)}\n`);
    process.exitCode = 2;
  }
}
