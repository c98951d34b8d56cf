/**
 * Ingress throughput and ack latency: legwork vs a bare node:http server doing the same per-request work
 * (the practical limit) vs the Flask receiver from Kite's guides (if Debian's python3-flask is installed).
 * Same machine, same request mix, one run; reported as ratios to the bare-node baseline.
 *
 *   npm run bench                 # full run (10 s per target)
 *   npm run bench -- --smoke      # seconds, proves the script works (CI)
 *   BENCH_SECONDS=20 BENCH_CONNECTIONS=32 npm run bench
 *   BENCH_ROUNDS=3 npm run bench  # targets alternate, 3 rounds; the table shows each target's median round
 *   BENCH_TARGETS=legwork BENCH_CPU_PROF=1 npm run bench   # only legwork, with a .cpuprofile in bench/results
 *
 * legwork answers before it processes, so an ack rate is only honest if processing keeps up: for legwork the run
 * also reports the backlog left when the load stops (acknowledged, not yet processed) and how long it took to drain.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../test/helpers/engine-process';
import { postbackMix } from './lib/postback-mix';
import { isSmoke, resultsDir, writeResults } from './lib/results';
import { RunningServer, spawnServer } from './lib/servers';

const SECRET = 'bench-secret-0123456789';
const smoke = isSmoke();
const DURATION = smoke ? 1 : Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = smoke ? 1 : Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** Comma-separated subset of bare-node,legwork,flask (default: all). */
const TARGETS = new Set((process.env.BENCH_TARGETS ?? 'bare-node,legwork,flask').split(',').map((t) => t.trim()));
/** Write a V8 CPU profile of the legwork process into bench/results (open in Chrome DevTools or speedscope). */
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';

interface Result {
  target: string;
  requestsPerSec: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  errors: number;
  /** Server CPU ms (user + system) per 1000 requests in the measured window (legwork: plus draining its backlog). */
  cpuMsPer1k: number | null;
  /** legwork only: acknowledged but unprocessed when the load stopped, and seconds until processing caught up. */
  backlogAtEnd?: number;
  drainSeconds?: number | null;
}

/** Sum of a Prometheus counter's samples (all label sets) from legwork's /metrics. */
async function counter(url: string, name: string, filter = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name) && line.includes(filter))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** For legwork: how far processing is behind the acks right after the load, and how long it takes to catch up. */
async function drain(url: string): Promise<{ backlogAtEnd: number; drainSeconds: number | null }> {
  const started = Date.now();
  const accepted = await counter(url, 'legwork_postbacks_total', 'outcome="accepted"');
  let processed = await counter(url, 'legwork_inbox_processed_total');
  const backlogAtEnd = Math.max(0, accepted - processed);
  // Gives up when processing makes no progress for 10 s (it is then reported as not drained: drainSeconds null).
  for (let lastProgress = Date.now(); processed < accepted; ) {
    if (Date.now() - lastProgress > 10_000) return { backlogAtEnd, drainSeconds: null };
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = await counter(url, 'legwork_inbox_processed_total');
    if (now > processed) lastProgress = Date.now();
    processed = now;
  }
  return { backlogAtEnd, drainSeconds: +((Date.now() - started) / 1000).toFixed(2) };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

function flaskAvailable(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import flask'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function load(server: RunningServer, bodies: string[]): Promise<Result> {
  let i = 0;
  // Warm up (JIT, SQLite page cache) before measuring.
  await autocannon({ url: `${server.url}/kite/postback`, duration: 1, connections: CONNECTIONS, method: 'POST', requests: [{ setupRequest: (r) => ({ ...r, body: bodies[i++ % bodies.length] }) }] });
  const cpuBefore = cpuSeconds(server.child.pid);
  const result = await autocannon({
    url: `${server.url}/kite/postback`,
    method: 'POST',
    duration: DURATION,
    connections: CONNECTIONS,
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    requests: [{ setupRequest: (r) => ({ ...r, body: bodies[i++ % bodies.length] }) }],
  });
  // legwork: include the processing still to do when the load stopped, so its CPU covers ack + processing.
  const drained = server.name === 'legwork' ? await drain(server.url) : {};
  const cpuAfter = cpuSeconds(server.child.pid);
  const cpuMsPer1k = cpuBefore === null || cpuAfter === null ? null : Math.round(((cpuAfter - cpuBefore) * 1e6) / result.requests.total);
  return {
    target: server.name,
    requestsPerSec: Math.round(result.requests.average),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuMsPer1k,
    ...drained,
  };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'legwork-bench-'));
  const bodies = postbackMix(smoke ? 2_000 : 50_000, SECRET);
  const rounds: Result[][] = [];
  // Each (target, round) starts on a fresh database, so every round sees the same mix of new and repeated updates.
  const targets: Array<[string, (db: string) => Promise<RunningServer>]> = [
    ['bare-node', (db) => spawnServer('bare-node', process.execPath, ['-r', 'ts-node/register/transpile-only', 'bench/baselines/bare-node-server.ts'], { DB: db, SECRET })],
    ['legwork', async (db) => {
      const port = await freePort();
      const profile = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resultsDir()}`] : [];
      return spawnServer('legwork', process.execPath, [...profile, '-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
        PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: db, KITE_API_SECRET: SECRET,
        LEGWORK_MODE: 'paper', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', STRATEGIES: 'none', PAPER_SIMULATOR: 'off',
      }, port);
    }],
  ];
  if (!TARGETS.has('flask')) {
    // not asked for
  } else if (flaskAvailable()) {
    targets.push(['flask', (db) => spawnServer('flask', '/usr/bin/python3', ['bench/baselines/flask_receiver.py'], { DB: db, SECRET })]);
  } else {
    console.log('flask: skipped (install Debian python3-flask to include the Flask receiver baseline)');
  }
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const results: Result[] = [];
      for (const [name, start] of targets) {
        if (!TARGETS.has(name)) continue;
        const server = await start(join(dir, `${name}-${round}.sqlite`));
        try {
          results.push(await load(server, bodies));
        } finally {
          await server.stop();
        }
      }
      if (ROUNDS > 1) console.log(`round ${round + 1}/${ROUNDS}: ${results.map((r) => `${r.target} ${r.requestsPerSec} rps p99 ${r.p99ms} ms`).join(', ')}`);
      rounds.push(results);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // Per target, the round with the median throughput (a whole round, so its latencies belong with its rate).
  const results = rounds[0].map(({ target }) => {
    const runs = rounds.map((round) => round.find((r) => r.target === target)!);
    const mid = median(runs.map((r) => r.requestsPerSec));
    return { ...runs.find((r) => r.requestsPerSec === mid)!, rounds: runs.length };
  });
  const base = results.find((r) => r.target === 'bare-node') ?? results[0];
  const rows = results.map((r) => ({
    ...r,
    'req/s vs bare': +(r.requestsPerSec / base.requestsPerSec).toFixed(2),
    'p50 vs bare': +(r.p50ms / Math.max(base.p50ms, 0.001)).toFixed(2),
    'p99 vs bare': +(r.p99ms / Math.max(base.p99ms, 0.001)).toFixed(2),
    'cpu/req vs bare': r.cpuMsPer1k === null || !base.cpuMsPer1k ? null : +(r.cpuMsPer1k / base.cpuMsPer1k).toFixed(2),
  }));
  console.log(`\ningress: ${DURATION}s per target, ${CONNECTIONS} connections, ${ROUNDS} round(s) (median shown), mix 50% new / 30% fills / 20% duplicates`);
  console.table(rows);
  const all = rounds.flat();
  const legwork = all.filter((r) => r.target === 'legwork');
  const summary = {
    // Correctness, not speed: every request answered 200, and legwork processed everything it acknowledged.
    allAnswered200: all.every((r) => r.errors === 0 && r.non2xx === 0 && r.requestsPerSec > 0),
    legworkDrained: legwork.every((r) => r.drainSeconds !== null && r.drainSeconds !== undefined),
    targets: results.map((r) => r.target),
  };
  const file = writeResults('ingress', smoke, startedAt, {
    durationSeconds: DURATION,
    connections: CONNECTIONS,
    rounds: ROUNDS,
    mix: { open: 0.5, fill: 0.3, duplicate: 0.2 },
    results: rows,
    allRounds: rounds,
    summary,
  });
  console.log(`results: ${file}`);
  if (!summary.allAnswered200 || !summary.legworkDrained) process.exitCode = 1;
}

void main();
