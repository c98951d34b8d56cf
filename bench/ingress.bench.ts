/**
 * Ingress throughput and ack latency: legwork vs a bare node:http server doing the same per-request work (the
 * practical limit), vs the framework alone (nest-floor: NestJS on platform-express, a guard, one insert), vs the Flask
 * receiver from Kite's guides (if Debian's python3-flask is installed). Same machine, same request mix, one run,
 * targets alternating; reported as ratios to the bare-node baseline, with issue 15's targets and whether each is met.
 *
 *   npm run bench                 # full run (10 s per target), all new orders
 *   npm run bench -- --smoke      # seconds, proves the script works (CI)
 *   BENCH_ROUNDS=3 npm run bench  # targets alternate for 3 rounds; the table shows each target's median round
 *   BENCH_MIX=mixed npm run bench # 50% new orders, 30% fills of earlier ones, 20% exact repeats
 *   BENCH_CPU_PROF=1 BENCH_TARGETS=legwork npm run bench   # + legwork's CPU profile: top frames printed, file kept
 *
 * legwork answers before it processes what it cannot apply at once, so an ack rate is only honest if processing
 * keeps up: for legwork the run also reports the backlog left when the load stops (acknowledged, not yet processed)
 * and how long it took to drain.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/engine-process';
import { processCpuMs, processWrites } from './lib/proc-stats';
import { printCpuProfile, ProfileSummary, summariseCpuProfile } from './lib/cpu-profile';
import { LoadResult, runLoad, wrkAvailable } from './lib/load';
import { MIXES, postbackMix } from './lib/postback-mix';
import { isSmoke, resultsDir, writeResults } from './lib/results';
import { RunningServer, spawnServer } from './lib/servers';

const SECRET = 'bench-secret-0123456789';
const smoke = isSmoke();
const DURATION = smoke ? 1 : Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = smoke ? 1 : Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const MIX = (process.env.BENCH_MIX ?? 'new') as keyof typeof MIXES;
/** Comma-separated subset of bare-node, legwork, nest-floor, flask, and the extras legwork-normal, bare-node-full (default: the first four). */
const TARGETS = new Set((process.env.BENCH_TARGETS ?? 'bare-node,legwork,nest-floor,flask').split(',').map((t) => t.trim()));
/** Profile legwork with V8 (--cpu-prof) and name the top frames of the measured window; the file stays in bench/results. */
const CPU_PROF = ['1', 'true', 'yes'].includes((process.env.BENCH_CPU_PROF ?? '').toLowerCase());
/** wrk when the distribution has it (lighter on the CPU the server needs), else autocannon. BENCH_LOAD=autocannon forces it. */
const TOOL: 'wrk' | 'autocannon' = process.env.BENCH_LOAD === 'autocannon' || !wrkAvailable() ? 'autocannon' : 'wrk';

/** Issue 15's targets, all ratios within one run. */
const TARGET = { vsBare: 0.4, vsFlask: 4, p99VsBare: 3, drainSeconds: 2 };

interface Result extends LoadResult {
  target: string;
  /** Server CPU ms (user + system) per 1000 requests in the measured window (legwork: plus draining its backlog). */
  cpuMsPer1k: number | null;
  /** Write system calls per 1000 requests in the same window (files and sockets): steady where CPU time is noisy. */
  writesPer1k: number | null;
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
  for (let lastProgress = Date.now(); processed < accepted;) {
    if (Date.now() - lastProgress > 10_000) return { backlogAtEnd, drainSeconds: null };
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = await counter(url, 'legwork_inbox_processed_total');
    if (now > processed) lastProgress = Date.now();
    processed = now;
  }
  return { backlogAtEnd, drainSeconds: +((Date.now() - started) / 1000).toFixed(2) };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

function flaskAvailable(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import flask'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Bodies {
  warmup: { file: string; bodies: string[] };
  measured: { file: string; bodies: string[] };
}

async function load(server: RunningServer, bodies: Bodies, dir: string): Promise<{ result: Result; window: { fromUs: number; toUs: number } }> {
  const url = `${server.url}/kite/postback`;
  // Warm up (JIT, SQLite page cache) before measuring, with bodies of its own: the measured ones are all still new.
  await runLoad(TOOL, { url, ...bodies.warmup, bodiesFile: bodies.warmup.file, seconds: 1, connections: CONNECTIONS, dir });
  const pid = server.child.pid;
  const cpuBefore = pid === undefined ? null : processCpuMs(pid);
  const writesBefore = pid === undefined ? null : processWrites(pid);
  const fromUs = monotonicUs();
  const run = await runLoad(TOOL, { url, ...bodies.measured, bodiesFile: bodies.measured.file, seconds: DURATION, connections: CONNECTIONS, dir });
  // legwork: include the processing still to do when the load stopped, so its CPU covers ack + processing.
  const drained = server.name.startsWith('legwork') ? await drain(server.url) : {};
  const toUs = monotonicUs();
  const cpuAfter = pid === undefined ? null : processCpuMs(pid);
  const writesAfter = pid === undefined ? null : processWrites(pid);
  const cpuMsPer1k = cpuBefore === null || cpuAfter === null ? null : Math.round(((cpuAfter - cpuBefore) * 1000) / run.requests);
  const writesPer1k = writesBefore === null || writesAfter === null ? null : Math.round(((writesAfter.calls - writesBefore.calls) * 1000) / run.requests);
  return { result: { target: server.name, ...run, cpuMsPer1k, writesPer1k, ...drained }, window: { fromUs, toUs } };
}

function writeBodies(dir: string, name: string, bodies: string[]): { file: string; bodies: string[] } {
  const file = join(dir, `${name}.txt`);
  writeFileSync(file, `${bodies.join('\n')}\n`);
  return { file, bodies };
}

/**
 * How far the framework alone gets (nest-floor: NestJS on platform-express, a guard, one insert, no engine) and how
 * close legwork comes to it: what the issue's ≥ 0.4× bare-node asks of legwork, in the terms of its own design.
 */
function framework(results: Result[]): { floorVsBare: number; legworkVsFloor: number | null } | null {
  const [floor, bare, legwork] = ['nest-floor', 'bare-node', 'legwork'].map((name) => results.find((r) => r.target === name));
  if (!floor || !bare) return null;
  return {
    floorVsBare: +(floor.requestsPerSec / bare.requestsPerSec).toFixed(2),
    legworkVsFloor: legwork ? +(legwork.requestsPerSec / floor.requestsPerSec).toFixed(2) : null,
  };
}

type Verdict = { target: string; value: number | null; wanted: string; met: boolean | null; note?: string };

function verdicts(results: Result[]): Verdict[] {
  const row = (name: string) => results.find((r) => r.target === name);
  const [legwork, bare, flask] = [row('legwork'), row('bare-node'), row('flask')];
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || !b ? null : +(a / b).toFixed(2));
  const unavailable = (what: string) => `${what} not in this run`;
  const judge = (value: number | null, ok: (v: number) => boolean, missing: string) =>
    value === null ? { value, met: null, note: missing } : { value, met: ok(value) };
  return [
    {
      target: 'legwork req/s ÷ bare-node (NORMAL) req/s',
      wanted: `≥ ${TARGET.vsBare}`,
      ...judge(ratio(legwork?.requestsPerSec, bare?.requestsPerSec), (v) => v >= TARGET.vsBare, unavailable(legwork ? 'bare-node' : 'legwork')),
    },
    {
      target: 'legwork req/s ÷ Flask req/s',
      wanted: `≥ ${TARGET.vsFlask}`,
      ...judge(
        ratio(legwork?.requestsPerSec, flask?.requestsPerSec),
        (v) => v >= TARGET.vsFlask,
        flask ? unavailable('legwork') : !TARGETS.has('flask') ? unavailable('flask') : 'Flask baseline unavailable (install Debian python3-flask)',
      ),
    },
    {
      target: 'legwork p99 ÷ bare-node p99',
      wanted: `≤ ${TARGET.p99VsBare}`,
      ...judge(ratio(legwork?.p99ms, bare?.p99ms), (v) => v <= TARGET.p99VsBare, unavailable(legwork ? 'bare-node' : 'legwork')),
    },
    {
      target: 'legwork backlog drained after the load (s)',
      wanted: `≤ ${TARGET.drainSeconds}`,
      ...judge(legwork?.drainSeconds ?? null, (v) => v <= TARGET.drainSeconds, legwork ? 'did not drain' : unavailable('legwork')),
    },
  ];
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'legwork-bench-'));
  const shares = MIXES[MIX];
  if (!shares) throw new Error(`BENCH_MIX must be one of ${Object.keys(MIXES).join(', ')}`);
  // Enough bodies that an all-new mix stays all new for the whole run on a fast machine.
  const count = smoke ? 5_000 : Math.max(50_000, 15_000 * DURATION);
  const bodies: Bodies = {
    warmup: writeBodies(dir, 'warmup', postbackMix(smoke ? 2_000 : 20_000, SECRET, shares)),
    measured: writeBodies(dir, 'measured', postbackMix(count, SECRET, shares)),
  };
  const rounds: Result[][] = [];
  const profiles: ProfileSummary[] = [];
  const profileDir = join(resultsDir(), 'cpu-profiles');
  const engineEnv = (port: number, db: string, synchronous: string) => ({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_PATH: db,
    DATABASE_SYNCHRONOUS: synchronous,
    KITE_API_SECRET: SECRET,
    LEGWORK_MODE: 'paper',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    STRATEGIES: 'none',
    PAPER_SIMULATOR: 'off',
  });
  const legwork = (name: string, synchronous: 'FULL' | 'NORMAL') => async (db: string) => {
    const port = await freePort();
    const profile = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];
    return spawnServer(name, process.execPath, [...profile, '-r', 'ts-node/register/transpile-only', 'src/main.ts'], engineEnv(port, db, synchronous), port);
  };
  const bareNode = (name: string, synchronous: 'FULL' | 'NORMAL') => (db: string) =>
    spawnServer(name, process.execPath, ['-r', 'ts-node/register/transpile-only', 'bench/baselines/bare-node-server.ts'], {
      DB: db,
      SECRET,
      SYNCHRONOUS: synchronous,
    });
  // Each (target, round) starts on a fresh database, so every round sees the same mix of new and repeated updates.
  const targets: Array<[string, (db: string) => Promise<RunningServer>]> = [
    ['bare-node', bareNode('bare-node', 'NORMAL')],
    ['legwork', legwork('legwork', 'FULL')],
    ['legwork-normal', legwork('legwork-normal', 'NORMAL')],
    ['bare-node-full', bareNode('bare-node-full', 'FULL')],
    [
      'nest-floor',
      (db) =>
        spawnServer('nest-floor', process.execPath, ['-r', 'ts-node/register/transpile-only', 'bench/baselines/nest-floor-server.ts'], {
          DB: db,
          SECRET,
          SYNCHRONOUS: 'NORMAL',
        }),
    ],
  ];
  let flask = 'not asked for';
  if (TARGETS.has('flask')) {
    if (flaskAvailable()) {
      flask = 'included';
      targets.push(['flask', (db) => spawnServer('flask', '/usr/bin/python3', ['bench/baselines/flask_receiver.py'], { DB: db, SECRET })]);
    } else {
      flask = 'unavailable: install Debian python3-flask (apt-get install -y python3-flask) to include the Flask receiver';
      console.log(`flask: ${flask}`);
    }
  }
  console.log(
    `load: ${TOOL}${TOOL === 'autocannon' ? ' (wrk not installed: apt-get install -y wrk)' : ''}, ${CONNECTIONS} connections, ${DURATION} s per target, mix ${MIX}`,
  );
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const results: Result[] = [];
      for (const [name, start] of targets) {
        if (!TARGETS.has(name)) continue;
        const server = await start(join(dir, `${name}-${round}.sqlite`));
        let window: { fromUs: number; toUs: number };
        try {
          const measured = await load(server, bodies, dir);
          results.push(measured.result);
          window = measured.window;
        } finally {
          await server.stop();
        }
        if (CPU_PROF && name.startsWith('legwork')) {
          const file = readdirSync(profileDir)
            .filter((f) => f.startsWith(`${name}-`))
            .sort()
            .pop();
          if (file) profiles.push(summariseCpuProfile(join(profileDir, file), 15, window));
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
  console.log(
    `\ningress: ${DURATION}s per target, ${CONNECTIONS} connections, ${ROUNDS} round(s) (median shown), mix ${MIX} (${JSON.stringify(shares)}), load by ${TOOL}`,
  );
  console.table(rows.map(({ tool, requests, rounds: _r, ...rest }) => rest));
  const targetsMet = verdicts(results);
  console.log('targets (issue 15), ratios within this run:');
  for (const v of targetsMet) {
    console.log(`  ${v.target}: ${v.value ?? '—'} (wanted ${v.wanted}) ${v.met === null ? `n/a: ${v.note}` : v.met ? 'met' : 'NOT met'}`);
  }
  const floor = framework(results);
  if (floor) console.log(`framework floor (not a target): nest-floor ÷ bare-node ${floor.floorVsBare}, legwork ÷ nest-floor ${floor.legworkVsFloor}`);
  for (const profile of profiles) printCpuProfile(profile);
  const all = rounds.flat();
  const legworkRuns = all.filter((r) => r.target.startsWith('legwork'));
  const summary = {
    // Correctness, not speed: every request answered 200, and legwork processed everything it acknowledged.
    allAnswered200: all.every((r) => r.errors === 0 && r.non2xx === 0 && r.requestsPerSec > 0),
    legworkDrained: legworkRuns.every((r) => r.drainSeconds !== null && r.drainSeconds !== undefined),
    targets: results.map((r) => r.target),
    framework: floor,
  };
  const file = writeResults('ingress', smoke, startedAt, {
    durationSeconds: DURATION,
    connections: CONNECTIONS,
    rounds: ROUNDS,
    tool: TOOL,
    mix: { name: MIX, ...shares },
    flask,
    results: rows,
    targetsMet,
    allRounds: rounds,
    cpuProfiles: profiles,
    summary,
  });
  console.log(`results: ${file}`);
  if (!summary.allAnswered200 || !summary.legworkDrained) process.exitCode = 1;
}

void main();
