#!/usr/bin/env node
// After `stryker run`: the mutation score of each file (reports/mutation/mutation.json), and a non-zero exit when a
// file is under the threshold (thresholds.low in stryker.config.mjs). `--survivors` also lists every mutant no test
// killed: file:line, mutator, replacement and the source line, which is where to look for a missing test.
import { readFileSync } from 'node:fs';
import config from '../stryker.config.mjs';

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const report = JSON.parse(readFileSync('reports/mutation/mutation.json', 'utf8'));
const threshold = config.thresholds.low;
const listSurvivors = process.argv.includes('--survivors');

let failed = 0;
for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  const undetected = mutants.filter((m) => UNDETECTED.has(m.status));
  const valid = detected + undetected.length;
  const score = valid === 0 ? 100 : (100 * detected) / valid;
  const low = score < threshold;
  if (low) failed++;
  console.log(`${score.toFixed(2).padStart(6)} %  ${String(detected).padStart(4)}/${String(valid).padEnd(4)} ${file}${low ? `   BELOW ${threshold} %` : ''}`);
  if (!listSurvivors) continue;
  const lines = source.split('\n');
  for (const m of undetected) {
    const line = m.location.start.line;
    console.log(`          ${file}:${line} ${m.status} ${m.mutatorName} → ${JSON.stringify(m.replacement)}\n              ${lines[line - 1].trim()}`);
  }
}
if (failed > 0) {
  console.error(`${failed} file(s) under the ${threshold} % mutation score (run with --survivors to see what no test catches)`);
  process.exitCode = 1;
}
