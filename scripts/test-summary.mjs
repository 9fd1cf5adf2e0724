// Prints the one line CI reads, "N passed, N failed", from the TRX files `dotnet test` wrote
// (machine-readable, whatever console logger or verbosity the caller chose), never a passing line
// for a run that failed, crashed or ran no test.
// Usage: node scripts/test-summary.mjs <results-directory> <dotnet-test-exit-status>
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [dir, statusText] = process.argv.slice(2);
const status = Number(statusText ?? '1');
const files = dir && existsSync(dir)
  ? readdirSync(dir).filter((name) => name.startsWith('summary') && name.endsWith('.trx'))
  : [];

const count = (counters, name) => Number((counters.match(new RegExp(`\\b${name}="(\\d+)"`)) ?? [])[1] ?? 0);
let passed = 0;
let failed = 0;
let total = 0;
for (const file of files) {
  const counters = (readFileSync(join(dir, file), 'utf8').match(/<Counters\b[^>]*>/) ?? [''])[0];
  total += count(counters, 'total');
  passed += count(counters, 'passed');
  failed += ['failed', 'error', 'timeout', 'aborted'].reduce((sum, name) => sum + count(counters, name), 0);
}

if (files.length === 0) {
  console.error(`No test results (TRX) in ${dir}: the build failed or the test host crashed before reporting (dotnet test exited with ${status}).`);
  failed = Math.max(failed, 1);
} else if (total === 0) {
  console.error('No test ran: check the --filter.');
  failed = Math.max(failed, 1);
} else if (status !== 0 && failed === 0) {
  console.error(`dotnet test exited with ${status} although no test failed (a crashed test host or an error after the run).`);
  failed = 1;
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && status === 0 ? 0 : 1);
