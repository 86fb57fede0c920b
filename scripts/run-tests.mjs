// The README's test command after set-up (./guichet test): static checks, unit tests, the local
// store's own Go tests, integration tests against the real stack. Every step runs even when an
// earlier one fails, then one line sums them up: "N passed, N failed" (each static check counts as one).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const reports = join(root, '.local', 'test-reports');
mkdirSync(reports, { recursive: true });

let passed = 0;
let failed = 0;

function run(title, command, args, options = {}) {
  console.log(`\n=== ${title}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? root,
    stdio: options.stdio ?? 'inherit',
    encoding: 'utf8',
  });
  return result;
}

function check(title, command, args) {
  const ok = run(title, command, args).status === 0;
  ok ? passed++ : failed++;
  console.log(`--- ${title}: ${ok ? 'ok' : 'FAILED'}`);
}

function jest(title, config, report) {
  const file = join(reports, report);
  const result = run(title, 'npx', ['jest', '-c', config, '--ci', '--json', `--outputFile=${file}`]);
  try {
    const summary = JSON.parse(readFileSync(file, 'utf8'));
    passed += summary.numPassedTests;
    failed += summary.numFailedTests;
    // A suite that fails before its tests run (a syntax error, a failing beforeAll) counts as failed.
    failed += summary.testResults.filter(
      (suite) => suite.status === 'failed' && suite.assertionResults.length === 0,
    ).length;
    if (summary.numTotalTests === 0) failed++;
  } catch {
    failed++;
  }
  if (result.status !== 0 && failed === 0) failed++;
}

function goTests(title, dir) {
  const result = run(title, 'go', ['test', '-count=1', '-json', './...'], {
    cwd: join(root, dir),
    stdio: 'pipe',
  });
  let ok = 0;
  let bad = 0;
  for (const line of result.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line);
    if (event.Test && event.Action === 'pass') ok++;
    if (event.Test && event.Action === 'fail') bad++;
    if (event.Action === 'output' && /^(--- FAIL|FAIL|ok|panic)/.test(event.Output))
      process.stdout.write(event.Output);
  }
  if (result.status !== 0 && bad === 0) bad++;
  process.stderr.write(result.stderr);
  console.log(`--- ${title}: ${ok} passed, ${bad} failed`);
  passed += ok;
  failed += bad;
}

check('format', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']);
run('project graph (for module boundaries)', 'npx', ['nx', 'show', 'projects']);
check('lint', 'npx', ['eslint', '--max-warnings', '0', '.']);
check('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
jest('unit tests', 'jest.config.js', 'unit.json');
goTests('local store (FerretDB atomic writes)', 'infra/local/ferretdb');
jest('integration tests', 'jest.integration.config.js', 'integration.json');

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
