/**
 * Ingress throughput and ack latency: legwork vs a bare node:http server doing the same per-request work
 * (the practical limit) vs the Flask receiver from Kite's guides (if Debian's python3-flask is installed).
 * Same machine, same request mix, one run; reported as ratios to the bare-node baseline.
 *
 *   npm run bench                 # full run (10 s per target)
 *   npm run bench -- --smoke      # seconds, proves the script works (CI)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../test/helpers/engine-process';
import { postbackMix } from './lib/postback-mix';
import { ROOT, RunningServer, spawnServer } from './lib/servers';

const SECRET = 'bench-secret-0123456789';
const smoke = process.argv.includes('--smoke');
const DURATION = smoke ? 2 : Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

interface Result {
  target: string;
  requestsPerSec: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  errors: number;
}

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
  const result = await autocannon({
    url: `${server.url}/kite/postback`,
    method: 'POST',
    duration: DURATION,
    connections: CONNECTIONS,
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    requests: [{ setupRequest: (r) => ({ ...r, body: bodies[i++ % bodies.length] }) }],
  });
  return {
    target: server.name,
    requestsPerSec: Math.round(result.requests.average),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'legwork-bench-'));
  const bodies = postbackMix(smoke ? 2_000 : 50_000, SECRET);
  const results: Result[] = [];
  const targets: Array<() => Promise<RunningServer>> = [
    () => spawnServer('bare-node', process.execPath, ['-r', 'ts-node/register/transpile-only', 'bench/baselines/bare-node-server.ts'], { DB: join(dir, 'bare.sqlite'), SECRET }),
    async () => {
      const port = await freePort();
      return spawnServer('legwork', process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
        PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: join(dir, 'legwork.sqlite'), KITE_API_SECRET: SECRET,
        LEGWORK_MODE: 'paper', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', STRATEGIES: 'none', PAPER_SIMULATOR: 'off',
      }, port);
    },
  ];
  if (flaskAvailable()) {
    targets.push(() => spawnServer('flask', '/usr/bin/python3', ['bench/baselines/flask_receiver.py'], { DB: join(dir, 'flask.sqlite'), SECRET }));
  } else {
    console.log('flask: skipped (install Debian python3-flask to include the Flask receiver baseline)');
  }
  try {
    for (const start of targets) {
      const server = await start();
      try {
        results.push(await load(server, bodies));
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const base = results.find((r) => r.target === 'bare-node')!;
  const rows = results.map((r) => ({
    ...r,
    'req/s vs bare': +(r.requestsPerSec / base.requestsPerSec).toFixed(2),
    'p50 vs bare': +(r.p50ms / Math.max(base.p50ms, 0.001)).toFixed(2),
    'p99 vs bare': +(r.p99ms / Math.max(base.p99ms, 0.001)).toFixed(2),
  }));
  console.log(`\ningress: ${DURATION}s per target, ${CONNECTIONS} connections, mix 50% new / 30% fills / 20% duplicates`);
  console.table(rows);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const file = join(ROOT, 'bench', 'results', `ingress-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ durationSeconds: DURATION, connections: CONNECTIONS, smoke, results: rows }, null, 2));
  console.log(`results: ${file}`);
  if (results.some((r) => r.errors > 0 || r.requestsPerSec === 0)) process.exitCode = 1;
}

void main();
