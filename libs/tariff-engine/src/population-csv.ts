import type { HouseholdFacts } from './grid';
import type { PopulationMember } from './impact';

const INTEGER_COLUMNS = [
  'qf',
  'childRank',
  'quantity',
  'monthlyResourcesCents',
  'annualResourcesCents',
  'dependentChildren',
  'aeehChildren',
  'contractHoursPerYear',
] as const;

/**
 * Reads a population for an impact simulation: a JSON array of { householdId, facts }, or a CSV with
 * a header line: householdId, resident (true/false), then any of qf, childRank, pai, quantity,
 * monthlyResourcesCents, annualResourcesCents, dependentChildren, aeehChildren, contractHoursPerYear.
 * An empty qf cell means the household gave no QF.
 */
export function parsePopulation(text: string, format: 'json' | 'csv'): PopulationMember[] {
  if (format === 'json') return JSON.parse(text) as PopulationMember[];
  const [header, ...rows] = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const columns = header.split(',').map((c) => c.trim());
  for (const required of ['householdId', 'resident']) {
    if (!columns.includes(required)) throw new Error(`the CSV header has no ${required} column`);
  }
  return rows.map((row, line) => {
    const cells = row.split(',').map((c) => c.trim());
    const value = (name: string) => cells[columns.indexOf(name)] ?? '';
    const facts: HouseholdFacts = { resident: value('resident') === 'true' };
    for (const name of INTEGER_COLUMNS) {
      const cell = columns.includes(name) ? value(name) : '';
      if (cell === '') continue;
      if (!/^\d+$/.test(cell))
        throw new Error(`line ${line + 2}: ${name} must be a whole number, not "${cell}"`);
      facts[name] = Number(cell);
    }
    if (columns.includes('pai')) facts.pai = value('pai') === 'true';
    return { householdId: value('householdId'), facts };
  });
}
