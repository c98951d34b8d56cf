/**
 * Reconcile at boot against a big order book: 10,000 orders in the Kite simulator's OMS (complete with three trades,
 * partial, open, rejected, cancelled), the engine started as its own process on (a) an empty store, (b) a store
 * that knew half the orders at an earlier state, (c) a store that already knows everything. Reports, per scenario,
 * the reconcile itself (getOrders + getTrades + diff + inbox writes, as the engine logs it), boot → reconcile done,
 * and boot → every resulting event processed and published; plus the same store checked against the OMS.
 * Baseline in the same run: the bare getOrders + getTrades through kiteconnect, in its own process.
 *
 *   npm run bench:reconcile                 # 10,000 orders
 *   npm run bench:reconcile -- --smoke      # 300 orders, seconds (CI); or BENCH_SMOKE=1
 *   BENCH_ORDERS=20000 npm run bench:reconcile
 *   BENCH_CPU_PROF=1 npm run bench:reconcile   # + the engine's CPU profile while it works the empty store's backlog
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KiteSimulator } from '../src/simulator';
import { freePort } from '../test/helpers/engine-process';
import { openStoreReadOnly, ROOT, simulatorEngineEnv, spawnEngine, sqliteTimeMs, storeCounts } from './lib/engine-child';
import { advanceOrders, kiteFor, planOrders } from './lib/oms-seed';
import { printCpuProfile, ProfileSummary, summariseCpuProfile } from './lib/cpu-profile';
import { isSmoke, ms, resultsDir, writeResults } from './lib/results';

const SECRET = 'bench-reconcile-secret';
const TARGET_MS = 2_000;
/** Issue 15: the backlog a reconcile queued is processed at this many events per second or more. */
const TARGET_EVENTS_PER_SECOND = 10_000;
const smoke = isSmoke();
const CPU_PROF = ['1', 'true', 'yes'].includes((process.env.BENCH_CPU_PROF ?? '').toLowerCase());
const PROFILE_DIR = join(resultsDir(), 'cpu-profiles');
/** The monotonic clock (µs), which V8's profile samples share, and the wall clock (ms) at the same moment. */
const clocks = () => ({ us: Number(process.hrtime.bigint() / 1000n), ms: Date.now() });
let backlogProfile: ProfileSummary | null = null;
const ORDERS = Number(process.env.BENCH_ORDERS ?? (smoke ? 300 : 10_000));

interface Scenario {
  scenario: 'empty store' | 'half known' | 'all known';
  omsOrders: number;
  updatesQueued: number;
  /** Process spawn → reconcile starts (ts-node load, Nest init, migrations). */
  bootToReconcileStartMs: number;
  /** The reconcile itself, as the engine measures it: fetch, diff, inbox writes. */
  reconcileMs: number;
  bootToReconcileDoneMs: number;
  /** Process spawn → the last resulting event processed and published. */
  bootToEventsDoneMs: number;
  eventsAfterReconcileMs: number;
  eventsPublished: number;
  /** eventsPublished / eventsAfterReconcileMs: the pace of processing the backlog the reconcile queued. */
  eventsPerSecond: number | null;
  /** The bare getOrders + getTrades through kiteconnect (own process, cold), measured right before this scenario. */
  bareFetchMs: number;
  /** reconcileMs / bareFetchMs: the load on this shared machine moves both, the ratio much less. */
  vsBareFetch: number;
  /** Orders whose store state (status, filled quantity, fill rows) differs from the OMS after processing. */
  mismatches: number;
  mismatchSamples: string[];
}

const RECONCILE_LINE = /^reconcile \(boot\): (\d+) order\(s\) in Kite's book, (\d+) update\(s\) the store lacked, in (\d+) ms/;

async function main(): Promise<void> {
  const startedAt = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'legwork-bench-reconcile-'));
  const sim = await new KiteSimulator({ apiSecret: SECRET, startPrices: { SBIN: 470 }, log: () => undefined }).start();
  const kite = kiteFor(sim);
  const port = await freePort();
  const env = (db: string): Record<string, string> =>
    // LOG_LEVEL info: the reconcile summary is an info line; per-order lines are what production logs too.
    simulatorEngineEnv(sim, SECRET, { DATABASE_PATH: db, STRATEGIES: 'none', LOG_LEVEL: 'info' });

  try {
    const plan = planOrders(ORDERS, sim.options.maxQuantity);
    const half = plan.slice(0, Math.floor(plan.length / 2));
    const seedStarted = Date.now();
    // The half-known store: it reconciled when half the orders existed, each at its first step. (Smoke mode runs
    // only the empty-store scenario: each engine boot costs seconds under ts-node.)
    const halfDb = join(dir, 'half-known.sqlite');
    if (!smoke) {
      await advanceOrders(sim, kite, half, 1);
      await runScenario(env(halfDb), port, halfDb, 'half known (preparation)', sim);
    }
    await advanceOrders(sim, kite, plan);
    const seedMs = Date.now() - seedStarted;
    const trades = sim.getTrades().length;
    const kinds = plan.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o.kind]: (acc[o.kind] ?? 0) + 1 }), {});
    console.log(`OMS: ${plan.length} orders ${JSON.stringify(kinds)}, ${trades} trades (seeded in ${seedMs} ms)`);

    const baseline = await fetchBaseline(sim);
    console.log(`baseline getOrders+getTrades via kiteconnect: cold ${baseline.coldMs} ms, warm ${baseline.warmMs.join('/')} ms`);

    const emptyDb = join(dir, 'empty.sqlite');
    const scenarios: Scenario[] = [];
    scenarios.push(await runScenario(env(emptyDb), port, emptyDb, 'empty store', sim, baseline));
    if (!smoke) {
      scenarios.push(await runScenario(env(halfDb), port, halfDb, 'half known', sim));
      scenarios.push(await runScenario(env(emptyDb), port, emptyDb, 'all known', sim));
    }

    const rows = scenarios.map((s) => ({
      scenario: s.scenario,
      'oms orders': s.omsOrders,
      'updates queued': s.updatesQueued,
      'reconcile ms': s.reconcileMs,
      'bare fetch ms': s.bareFetchMs,
      'vs bare fetch': s.vsBareFetch,
      'boot→reconcile done ms': s.bootToReconcileDoneMs,
      'boot→events done ms': s.bootToEventsDoneMs,
      events: s.eventsPublished,
      'events/s': s.eventsPerSecond,
      mismatches: s.mismatches,
    }));
    console.log(`\nreconcile at boot: ${plan.length} orders, ${trades} trades; target: reconcile < ${TARGET_MS} ms`);
    console.table(rows);

    const worst = Math.max(...scenarios.map((s) => s.reconcileMs));
    // The pace is judged on the empty store: the most events (every order and trade replayed).
    const pace = scenarios.find((s) => s.scenario === 'empty store')?.eventsPerSecond ?? null;
    const correct = scenarios.every((s) => s.mismatches === 0);
    const file = writeResults('reconcile', smoke, startedAt, {
      orders: plan.length,
      trades,
      kinds: kinds,
      seedMs,
      targetReconcileMs: TARGET_MS,
      baseline,
      scenarios,
      summary: {
        worstReconcileMs: worst,
        withinTarget: worst < TARGET_MS,
        worstVsBareFetch: Math.max(...scenarios.map((s) => s.vsBareFetch)),
        storeMatchesOms: correct,
        eventsPerSecond: pace,
        eventsPaceMet: pace === null ? null : pace >= TARGET_EVENTS_PER_SECOND,
      },
    });
    console.log(`results: ${file}`);
    console.log(worst < TARGET_MS ? `reconcile within target (${worst} ms < ${TARGET_MS} ms)` : `reconcile OVER target: ${worst} ms >= ${TARGET_MS} ms`);
    console.log(
      `processing the empty store's backlog: ${pace ?? '—'} events/s (target ≥ ${TARGET_EVENTS_PER_SECOND}): ${pace === null ? 'n/a' : pace >= TARGET_EVENTS_PER_SECOND ? 'met' : 'NOT met'}`,
    );
    if (backlogProfile) printCpuProfile(backlogProfile);
    if (!correct) {
      console.error('store does not match the OMS after reconcile');
      process.exitCode = 1;
    }
  } finally {
    await sim.stop();
    if (process.env.BENCH_KEEP) console.log(`kept: ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function fetchBaseline(sim: KiteSimulator): Promise<{ coldMs: number; warmMs: number[]; orders: number; trades: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench', 'lib', 'kite-fetch.ts')], {
    cwd: ROOT,
    env: { ...process.env, KITE_ROOT_URL: sim.url, KITE_API_KEY: sim.options.apiKey, KITE_ACCESS_TOKEN: sim.options.accessToken, REPEAT: '3' },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { coldMs: number; warmMs: number[]; orders: number; trades: number };
}

/** Boot the engine on `db`, time its boot reconcile and the processing behind it, stop it, check the store. */
async function runScenario(
  env: Record<string, string>,
  port: number,
  db: string,
  scenario: string,
  sim: KiteSimulator,
  baseline?: { coldMs: number },
): Promise<Scenario> {
  const before = existsSync(db) ? withStore(db, storeCounts) : null;
  const bare = baseline ?? (await fetchBaseline(sim));
  sim.clearRequests();
  const profiled = CPU_PROF && scenario === 'empty store';
  const nodeArgs = profiled ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=reconcile-engine-${Date.now()}.cpuprofile`] : [];
  const engine = await spawnEngine(env, port, { ready: false, nodeArgs });
  try {
    const line = await engine.waitForLog(RECONCILE_LINE, 180_000);
    const [, omsOrders, queued, reconcileMs] = RECONCILE_LINE.exec(line.msg)!.map(Number);
    // Nest buffers log lines written during init (bufferLogs), so the line's own time is the flush time. The
    // reconcile starts with GET /orders: the simulator (this process, same clock) stamps when that arrived.
    const getOrders = sim.requests.find((r) => r.method === 'GET' && r.path === '/orders');
    if (!getOrders) throw new Error(`${scenario}: the engine never called GET /orders`);
    const reconcileDoneAt = getOrders.receivedAt.getTime() + reconcileMs;
    // Everything reconcile queued is in the inbox by now; wait until it is applied and every event published.
    let eventsDoneAt = reconcileDoneAt;
    const deadline = Date.now() + 600_000;
    for (;;) {
      const state = withStore(db, (store) => ({
        counts: storeCounts(store),
        lastProcessed: (store.prepare('SELECT MAX("processedAt") AS t FROM inbox').get() as { t: string | null }).t,
        lastDispatched: (store.prepare('SELECT MAX("dispatchedAt") AS t FROM order_events').get() as { t: string | null }).t,
      }));
      if (state.counts.inboxPending === 0 && state.counts.undispatched === 0) {
        if (queued > 0) eventsDoneAt = Math.max(sqliteTimeMs(state.lastProcessed) ?? 0, sqliteTimeMs(state.lastDispatched) ?? 0, reconcileDoneAt);
        break;
      }
      if (Date.now() > deadline) throw new Error(`${scenario}: events not processed in time: ${JSON.stringify(state.counts)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await engine.stop();
    if (profiled) {
      // Wall-clock moments of the backlog's processing, on the monotonic clock the profile uses.
      const now = clocks();
      const toUs = (wallMs: number) => now.us - (now.ms - wallMs) * 1000;
      const file = readdirSync(PROFILE_DIR)
        .filter((f) => f.startsWith('reconcile-engine-'))
        .sort()
        .pop();
      if (file) backlogProfile = summariseCpuProfile(join(PROFILE_DIR, file), 15, { fromUs: toUs(reconcileDoneAt), toUs: toUs(eventsDoneAt) });
    }
    const after = withStore(db, storeCounts);
    const { mismatches, samples } = withStore(db, (store) => compareWithOms(store, sim));
    const result: Scenario = {
      scenario: scenario as Scenario['scenario'],
      omsOrders,
      updatesQueued: queued,
      bootToReconcileStartMs: reconcileDoneAt - reconcileMs - engine.spawnedAt,
      reconcileMs,
      bootToReconcileDoneMs: reconcileDoneAt - engine.spawnedAt,
      bootToEventsDoneMs: ms(eventsDoneAt - engine.spawnedAt)!,
      eventsAfterReconcileMs: ms(eventsDoneAt - reconcileDoneAt)!,
      eventsPublished: after.orderEvents - (before?.orderEvents ?? 0),
      eventsPerSecond:
        eventsDoneAt > reconcileDoneAt ? Math.round((after.orderEvents - (before?.orderEvents ?? 0)) / ((eventsDoneAt - reconcileDoneAt) / 1000)) : null,
      bareFetchMs: bare.coldMs,
      vsBareFetch: +(reconcileMs / Math.max(bare.coldMs, 1)).toFixed(2),
      mismatches,
      mismatchSamples: samples,
    };
    console.log(
      `${scenario}: reconcile ${reconcileMs} ms (${queued} updates for ${omsOrders} orders; bare fetch ${bare.coldMs} ms), events done ${result.bootToEventsDoneMs} ms after spawn`,
    );
    return result;
  } finally {
    await engine.kill9();
  }
}

function withStore<T>(path: string, read: (store: ReturnType<typeof openStoreReadOnly>) => T): T {
  const store = openStoreReadOnly(path);
  try {
    return read(store);
  } finally {
    store.close();
  }
}

/**
 * For every order in the OMS: the stored status and filled quantity equal the OMS's, the fill rows sum to it,
 * and (reconcile replays per trade) there is one fill row per trade.
 */
function compareWithOms(store: ReturnType<typeof openStoreReadOnly>, sim: KiteSimulator): { mismatches: number; samples: string[] } {
  const stored = new Map(
    (store.prepare('SELECT "orderId", status, "filledQuantity" FROM orders').all() as Array<{ orderId: string; status: string; filledQuantity: number }>).map(
      (o) => [o.orderId, o],
    ),
  );
  const fills = new Map(
    (
      store.prepare('SELECT "orderId", SUM(quantity) AS q, COUNT(*) AS n FROM fills GROUP BY "orderId"').all() as Array<{
        orderId: string;
        q: number;
        n: number;
      }>
    ).map((f) => [f.orderId, f]),
  );
  const samples: string[] = [];
  let mismatches = 0;
  for (const oms of sim.getOrders()) {
    const mine = stored.get(oms.order_id);
    const fill = fills.get(oms.order_id) ?? { q: 0, n: 0 };
    const trades = sim.getTrades(oms.order_id).length;
    const problem = !mine
      ? 'missing'
      : mine.status !== oms.status
        ? `status ${mine.status} vs ${oms.status}`
        : mine.filledQuantity !== oms.filled_quantity
          ? `filled ${mine.filledQuantity} vs ${oms.filled_quantity}`
          : fill.q !== oms.filled_quantity
            ? `fills sum ${fill.q} vs ${oms.filled_quantity}`
            : fill.n !== trades
              ? `${fill.n} fill rows vs ${trades} trades`
              : null;
    if (problem) {
      mismatches++;
      if (samples.length < 10) samples.push(`${oms.order_id}: ${problem}`);
    }
  }
  return { mismatches, samples };
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
