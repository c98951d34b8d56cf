/**
 * npm run bench:leg — postback → next leg placed.
 *
 * For many chains: a signed COMPLETE postback of an entry tagged `twoleg` is sent to the engine, and we time until the
 * two-leg strategy's exit placement reaches the Kite simulator (its request log stamps performance.now(); the sender
 * and the simulator share this process, so the clocks agree). The whole path is real: HTTP ingress, checksum guard,
 * durable inbox, order state, outbox, strategy host, order gateway (leg intent durable first), kiteconnect, HTTP to
 * the simulator.
 *
 * By default the engine runs inside this process, on one thread with the sender and the simulator: no process hops,
 * and a breakdown (the ack, the published event). BENCH_ENGINE_PROCESS=1 runs the engine as its own process
 * (src/main.ts, as in production) and the webhook script too; on a 2-core machine each hop between processes then
 * costs a wake-up, for both sides alike.
 *
 * Baseline, same run and same arrangement: the hand-written webhook script this engine replaces
 * (bench/baselines/bare-webhook.ts) — parse, check the checksum, call kiteconnect's placeOrder (no store, no
 * exactly-once).
 * Reported: p50/p90/p99/max per side, legwork's ratios to the baseline, the engine's CPU per chain, and issue 15's
 * targets with whether each is met: p50 ≤ 2× the script, p99 < 10 ms, engine CPU per chain ≤ 2 ms.
 * BENCH_CPU_PROF=1 adds a V8 CPU profile of legwork's rounds (the file in bench/results/cpu-profiles, the top frames
 * printed): of this process with the engine in it, or of the engine's process with BENCH_ENGINE_PROCESS=1.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AnyOrderEvent, OrderEventName } from '../src/events';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { postbackChecksum } from '../src/common/kite-checksum';
import { createBareWebhook } from './baselines/bare-webhook';
import { KiteSimulator } from '../src/simulator';
import { freePort } from '../test/helpers/engine-process';
import { ROOT, simulatorEngineEnv, spawnEngine } from './lib/engine-child';
import { watchLikeThePage } from './lib/page-watcher';
import { printCpuProfile, ProfileSummary, ProfileWindow, summariseCpuProfile } from './lib/cpu-profile';
import { isSmoke, resultsDir, writeResults } from './lib/results';
import { processWrites, threadCpu } from './lib/proc-stats';

const SECRET = 'bench-leg-latency-secret';
const smoke = isSmoke();
const CHAINS = Number(process.env.BENCH_CHAINS ?? (smoke ? 20 : 300));
const WARMUP = smoke ? 5 : 30;
/** Pause between chains; 0 = back to back (each postback lands while the previous chain's bookkeeping finishes). */
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 0);
const IN_PROCESS = !['1', 'true', 'yes'].includes((process.env.BENCH_ENGINE_PROCESS ?? '').toLowerCase());
/** Open /trades pages (live stream + a read of the day on every change) watching the engine while it works. */
const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 0);
const CPU_PROF = ['1', 'true', 'yes'].includes((process.env.BENCH_CPU_PROF ?? '').toLowerCase());
const PROFILE_DIR = join(resultsDir(), 'cpu-profiles');
/** Issue 15's targets for this bench. */
const TARGET = { p50VsScript: 2, p99Ms: 10, engineCpuMsPerChain: 2 };
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** V8's profiler on this process (the engine in it), through the inspector: started and stopped around the rounds. */
function inProcessProfiler(): { stop(): Promise<string> } {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  const started = post('Profiler.enable')
    .then(() => post('Profiler.setSamplingInterval', { interval: 200 }))
    .then(() => post('Profiler.start'));
  return {
    stop: async () => {
      await started;
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      session.disconnect();
      mkdirSync(PROFILE_DIR, { recursive: true });
      const file = join(PROFILE_DIR, `leg-latency-${Date.now()}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}

interface Stats {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    n: s.length,
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(s[s.length - 1]),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

let nextOrderId = 2611250000000000000n;

/** A COMPLETE postback for a fresh BUY entry tagged twoleg, signed with Kite's formula. */
function entryPostback(): { orderId: string; body: string } {
  const orderId = String(nextOrderId++);
  const order_timestamp = '2026-11-25 10:15:00';
  const payload = {
    user_id: 'AB1234',
    unfilled_quantity: 0,
    app_id: 1,
    checksum: postbackChecksum(orderId, order_timestamp, SECRET),
    placed_by: 'AB1234',
    order_id: orderId,
    exchange_order_id: '1300000001887410',
    parent_order_id: null,
    status: 'COMPLETE',
    status_message: null,
    status_message_raw: null,
    order_timestamp,
    exchange_update_timestamp: order_timestamp,
    exchange_timestamp: order_timestamp,
    variety: 'regular',
    exchange: 'NSE',
    tradingsymbol: 'SBIN',
    instrument_token: 779521,
    order_type: 'MARKET',
    transaction_type: 'BUY',
    validity: 'DAY',
    product: 'MIS',
    quantity: 10,
    disclosed_quantity: 0,
    price: 0,
    trigger_price: 0,
    average_price: 470,
    filled_quantity: 10,
    pending_quantity: 0,
    cancelled_quantity: 0,
    market_protection: 0,
    meta: {},
    tag: 'twoleg',
    guid: orderId,
  };
  return { orderId, body: JSON.stringify(payload) };
}

async function send(url: string, body: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`postback answered ${res.status}`);
}

/** When the engine published order.completed for an entry (the bench listens on the engine's own bus). */
const publishedAt = new Map<string, number>();

interface Breakdown {
  ack: number[];
  toEvent: number[];
  eventToPlacement: number[];
}

/** Time `chains` postback → placement round trips, one chain at a time. */
async function measure(sim: KiteSimulator, postbackUrl: string, chains: number, breakdown?: Breakdown): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < chains; i++) {
    const { orderId, body } = entryPostback();
    // Waited on, not polled: a polling loop would spin while the engine waits for its fsyncs and HTTP, and that CPU
    // would count as the engine's (the longer a side's chain, the more it would spin).
    const placement = sim.nextRequest((r) => r.method === 'POST' && r.path === '/orders/regular', 10_000);
    placement.catch(() => undefined); // awaited below; the send may fail first
    const t0 = performance.now();
    await send(postbackUrl, body);
    const acked = performance.now();
    const hit = await placement.catch(() => Promise.reject(new Error(`no leg placed for entry ${orderId} within 10 s`)));
    samples.push(hit.receivedHr - t0);
    const published = publishedAt.get(orderId);
    if (breakdown) breakdown.ack.push(acked - t0);
    if (breakdown && published !== undefined) {
      breakdown.toEvent.push(published - t0);
      breakdown.eventToPlacement.push(hit.receivedHr - published);
    }
    if (sim.requests.length > 1000) sim.clearRequests();
    // Chains spaced like a trading day's (not back to back): the previous chain's trailing writes are done.
    if (GAP_MS > 0) await new Promise((resolve) => setTimeout(resolve, GAP_MS));
  }
  return samples;
}

interface Target {
  url: string;
  stop(): Promise<void>;
}

/** The engine's settings, the same in both arrangements. */
function engineEnv(sim: KiteSimulator, dir: string): Record<string, string> {
  return simulatorEngineEnv(sim, SECRET, {
    STRATEGIES: 'two-leg',
    DATABASE_PATH: join(dir, 'legwork.sqlite'),
    DATABASE_SYNCHRONOUS: process.env.DATABASE_SYNCHRONOUS ?? 'FULL',
    // Kite's 10 orders/s pacing is a deliberate wait, not engine latency: lifted here, measured by test/rails.
    ORDERS_PER_SECOND: '100000',
    ORDERS_PER_MINUTE: '10000000',
    ORDERS_PER_DAY: '10000000',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  });
}

/** The engine as its own process (src/main.ts). */
async function startEngineProcess(sim: KiteSimulator, dir: string): Promise<Target> {
  const nodeArgs = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=leg-latency-engine-${Date.now()}.cpuprofile`] : [];
  const engine = await spawnEngine(engineEnv(sim, dir), await freePort(), { nodeArgs });
  return { url: `${engine.url}/kite/postback`, stop: () => engine.stop() };
}

/** The engine inside this process, with a listener on its bus for the breakdown. */
async function startEngineInProcess(sim: KiteSimulator, dir: string): Promise<Target> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(engineEnv(sim, dir)), { bodyParser: false, logger: ['error', 'warn'] });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  // Diagnostics: where the time goes (ack, then processing to the published event, then strategy + gateway + HTTP).
  app.get(EventEmitter2).prependListener(OrderEventName.Completed, (event: AnyOrderEvent) => void publishedAt.set(event.orderId, performance.now()));
  return { url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/kite/postback`, stop: () => app.close() };
}

/** The hand-written webhook script legwork replaces, in the same arrangement as the engine. */
async function startBaseline(sim: KiteSimulator): Promise<Target> {
  const env = { SECRET, KITE_ROOT_URL: sim.url, KITE_API_KEY: sim.options.apiKey, KITE_ACCESS_TOKEN: sim.options.accessToken };
  if (IN_PROCESS) {
    const server = createBareWebhook({ secret: SECRET, kiteRoot: sim.url, apiKey: sim.options.apiKey, accessToken: sim.options.accessToken });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, stop: () => new Promise((resolve) => server.close(() => resolve())) };
  }
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench', 'baselines', 'bare-webhook.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`bare webhook exited (${code}) before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'legwork-bench-leg-'));
  const sim = await new KiteSimulator({ apiSecret: SECRET, startPrices: { SBIN: 470 }, log: () => undefined }).start();
  const engine = await (IN_PROCESS ? startEngineInProcess(sim, dir) : startEngineProcess(sim, dir));
  const baseline = await startBaseline(sim);
  const watchers = Array.from({ length: WATCHERS }, () => watchLikeThePage(engine.url.replace(/\/kite\/postback$/, ''), '2026-11-25'));
  let engineWindows: ProfileWindow[] | null = null;

  try {
    // Interleave rounds so drift on a shared machine hits both sides alike.
    const rounds = smoke ? 1 : 3;
    const legwork: number[] = [];
    const bare: number[] = [];
    const breakdown: Breakdown = { ack: [], toEvent: [], eventToPlacement: [] };
    await measure(sim, engine.url, WARMUP);
    await measure(sim, baseline.url, WARMUP);
    // CPU time of this process per chain: sender + simulator (+ the engine when in-process). Machine noise stretches
    // wall times but not CPU time, so the difference between the sides is the engine's own work per chain.
    const cpu = { legwork: 0, bare: 0 };
    // The same split by thread: the event loop's own work, and what runs beside it (fdatasync, checkpoints, GC helpers).
    const threads = { legwork: { mainMs: 0, otherMs: 0 }, bare: { mainMs: 0, otherMs: 0 } };
    // And the write system calls made meanwhile (a count, steady from run to run): the engine's are mostly WAL frames.
    const writes = { legwork: { calls: 0, bytes: 0 }, bare: { calls: 0, bytes: 0 } };
    // Both read from /proc: where it is missing (not Linux), they are left out of the printout.
    const procReadable = { threads: threadCpu() !== null, writes: processWrites() !== null };
    const cpuOf = async (side: 'legwork' | 'bare', work: () => Promise<number[]>) => {
      const start = process.cpuUsage();
      const threadsAtStart = threadCpu();
      const writesAtStart = processWrites();
      const samples = await work();
      const used = process.cpuUsage(start);
      const threadsAtEnd = threadCpu();
      const writesAtEnd = processWrites();
      cpu[side] += (used.user + used.system) / 1000;
      if (threadsAtStart && threadsAtEnd) {
        threads[side].mainMs += threadsAtEnd.mainMs - threadsAtStart.mainMs;
        threads[side].otherMs += threadsAtEnd.otherMs - threadsAtStart.otherMs;
      }
      if (writesAtStart && writesAtEnd) {
        writes[side].calls += writesAtEnd.calls - writesAtStart.calls;
        writes[side].bytes += writesAtEnd.bytes - writesAtStart.bytes;
      }
      return samples;
    };
    const profiler = CPU_PROF && IN_PROCESS ? inProcessProfiler() : null;
    /** legwork's rounds on the monotonic clock: the profile is read for these only. */
    const windows: ProfileWindow[] = [];
    for (let r = 0; r < rounds; r++) {
      bare.push(...(await cpuOf('bare', () => measure(sim, baseline.url, Math.ceil(CHAINS / rounds)))));
      const fromUs = monotonicUs();
      legwork.push(...(await cpuOf('legwork', () => measure(sim, engine.url, Math.ceil(CHAINS / rounds), breakdown))));
      windows.push({ fromUs, toUs: monotonicUs() });
    }
    let profile: ProfileSummary | null = null;
    if (profiler) profile = summariseCpuProfile(await profiler.stop(), 15, windows);
    const l = stats(legwork);
    const b = stats(bare);
    const ratio = (a: number, z: number) => Math.round((a / z) * 100) / 100;
    const result = {
      chains: l.n,
      gapMs: GAP_MS,
      arrangement: IN_PROCESS ? 'in-process' : 'engine-process',
      legwork: l,
      baseline: b,
      ratios: { p50: ratio(l.p50, b.p50), p99: ratio(l.p99, b.p99) },
      cpuMsPerChain: IN_PROCESS
        ? {
            legwork: round2(cpu.legwork / l.n),
            bare: round2(cpu.bare / b.n),
            engine: round2(cpu.legwork / l.n - cpu.bare / b.n),
            // /proc counts in 10 ms ticks: read over a whole run's chains only.
            engineMainThread: round2(threads.legwork.mainMs / l.n - threads.bare.mainMs / b.n),
            engineOtherThreads: round2(threads.legwork.otherMs / l.n - threads.bare.otherMs / b.n),
          }
        : { note: 'engine CPU is measured only with the engine in this process' },
      engineWritesPerChain: IN_PROCESS
        ? {
            syscalls: Math.round(writes.legwork.calls / l.n - writes.bare.calls / b.n),
            kib: Math.round((writes.legwork.bytes / l.n - writes.bare.bytes / b.n) / 1024),
          }
        : { note: "the engine's writes are counted only with the engine in this process" },
      legworkBreakdown: IN_PROCESS
        ? { ack: stats(breakdown.ack), postbackToEvent: stats(breakdown.toEvent), eventToPlacement: stats(breakdown.eventToPlacement) }
        : { ack: stats(breakdown.ack) },
      target: { legworkP99BelowMs: 10, met: l.p99 < 10 },
      watchers: { pages: WATCHERS, streamMessages: watchers.reduce((n, w) => n + w.messages, 0), pageReads: watchers.reduce((n, w) => n + w.reads, 0) },
      targets: [
        { target: 'legwork p50 ÷ script p50', value: ratio(l.p50, b.p50), wanted: `≤ ${TARGET.p50VsScript}`, met: ratio(l.p50, b.p50) <= TARGET.p50VsScript },
        { target: 'legwork p99 (ms)', value: l.p99, wanted: `< ${TARGET.p99Ms}`, met: l.p99 < TARGET.p99Ms },
        IN_PROCESS
          ? {
              target: 'engine CPU per chain (ms)',
              value: round2(cpu.legwork / l.n - cpu.bare / b.n),
              wanted: `≤ ${TARGET.engineCpuMsPerChain}`,
              met: cpu.legwork / l.n - cpu.bare / b.n <= TARGET.engineCpuMsPerChain,
            }
          : {
              target: 'engine CPU per chain (ms)',
              value: null,
              wanted: `≤ ${TARGET.engineCpuMsPerChain}`,
              met: null,
              note: 'measured only with the engine in this process',
            },
      ],
      cpuProfile: profile,
    };
    console.log(
      `postback → next leg placed, ${l.n} chains each (ms), ${IN_PROCESS ? 'engine in this process' : 'engine and webhook script each in their own process'}`,
    );
    console.table({ legwork: l, 'bare webhook script': b });
    console.log('legwork, where the time goes (ms from the postback being sent):');
    console.table(result.legworkBreakdown);
    if (IN_PROCESS)
      console.log(
        `CPU per chain: ${round2(cpu.legwork / l.n)} ms with legwork, ${round2(cpu.bare / b.n)} ms with the script (sender + simulator + server): the engine's own work ≈ ${round2(cpu.legwork / l.n - cpu.bare / b.n)} ms`,
      );
    if (IN_PROCESS && procReadable.threads)
      console.log(
        `  of which on the event loop's thread ≈ ${result.cpuMsPerChain.engineMainThread} ms, on other threads (fdatasync, WAL checkpoints, GC helpers) ≈ ${result.cpuMsPerChain.engineOtherThreads} ms`,
      );
    if (IN_PROCESS && procReadable.writes)
      console.log(
        `engine's write system calls per chain: ${result.engineWritesPerChain.syscalls} (${result.engineWritesPerChain.kib} KiB): WAL frames (two writes per page a commit changed), checkpoints, HTTP`,
      );
    if (WATCHERS > 0)
      console.log(`${WATCHERS} open /trades page(s) watching: ${result.watchers.streamMessages} stream messages, ${result.watchers.pageReads} page reads`);
    console.log(`legwork/bare: p50 ×${result.ratios.p50}, p99 ×${result.ratios.p99}`);
    console.log('targets (issue 15), within this run:');
    for (const t of result.targets) {
      console.log(
        `  ${t.target}: ${t.value ?? '—'} (wanted ${t.wanted}) ${t.met === null ? `n/a: ${(t as { note?: string }).note}` : t.met ? 'met' : 'NOT met'}`,
      );
    }
    if (profile) printCpuProfile(profile);
    console.log(`results: ${writeResults('leg-latency', smoke, startedAt, result)}`);
    if (CPU_PROF && !IN_PROCESS) engineWindows = windows;
  } finally {
    watchers.forEach((w) => w.stop());
    await baseline.stop();
    await engine.stop();
    if (engineWindows) {
      // The engine's process wrote its profile when it stopped.
      const file = readdirSync(PROFILE_DIR)
        .filter((f) => f.startsWith('leg-latency-engine-'))
        .sort()
        .pop();
      if (file) printCpuProfile(summariseCpuProfile(join(PROFILE_DIR, file), 15, engineWindows));
    }
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
