import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { ROOT } from './engine-child';

/** Smoke mode (seconds, small N): `--smoke` or BENCH_SMOKE=1. Used by test/bench/bench-smoke.e2e-spec.ts. */
export function isSmoke(argv = process.argv, env = process.env): boolean {
  return argv.includes('--smoke') || ['1', 'true', 'yes'].includes((env.BENCH_SMOKE ?? '').toLowerCase());
}

/** Where a bench writes its JSON: BENCH_RESULTS_DIR, else bench/results/ (gitignored). */
export function resultsDir(env = process.env): string {
  return env.BENCH_RESULTS_DIR ?? join(ROOT, 'bench', 'results');
}

/**
 * Write `<name>-<timestamp>.json` and `<name>-latest.json` (same content) into the results directory; returns the
 * timestamped path. Every file carries `bench`, `smoke`, `startedAt`, `machine` and the bench's own fields.
 */
export function writeResults(name: string, smoke: boolean, startedAt: Date, body: Record<string, unknown>): string {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const payload = {
    bench: name,
    smoke,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, loadavg: os.loadavg().map((n) => +n.toFixed(2)), node: process.version },
    ...body,
  };
  const text = JSON.stringify(payload, null, 2);
  const file = join(dir, `${name}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, text);
  writeFileSync(join(dir, `${name}-latest.json`), text);
  return file;
}

export const ms = (n: number | null | undefined): number | null => (n === null || n === undefined ? null : Math.round(n));

/** Seeded PRNG (the simulator's mulberry32), so a run's kill moments and inputs can be reproduced with BENCH_SEED. */
export { mulberry32 as seededRandom } from '../../src/simulator/seeded-random';
