/**
 * Crash safety under load: the engine runs as its own process; autocannon drives signed postbacks at it (an endless
 * seeded stream: fills, cancels, rejections, repeats) while a Kite simulator in this process, which the engine
 * reconciles against, takes new orders and posts their updates to the engine too. The engine is killed with
 * SIGKILL at random moments, several times, and restarted each time. At the end (one clean restart, everything
 * drained) the store is checked:
 *   - every postback that got a 200 is in the inbox (bodies recorded client-side, matched by dedup key);
 *   - per order, the fill rows sum to the stored filled quantity, which is the newest stored update's and at least
 *     the last acknowledged one; no two fill rows for the same cumulative quantity;
 *   - simulator orders: the store equals the OMS (status, filled quantity) once the boot reconcile has run;
 *   - no leg placed twice: the two-leg strategy runs, entries tagged `twoleg` go into the simulator, and each
 *     completed entry makes the engine place an exit leg with a unique Kite tag; every leg tag must be on at most
 *     one OMS order, every leg the store calls placed must be in the OMS, every completed entry must have its leg
 *     (BENCH_STRATEGIES=none turns strategies off; then these checks are vacuous);
 *   - nothing parked as failed, nothing left unprocessed or unpublished.
 *
 *   npm run bench:crash                    # 5 kills
 *   npm run bench:crash -- --smoke         # 1 kill, short load window (CI); or BENCH_SMOKE=1
 *   BENCH_KILLS=10 BENCH_SEED=7 npm run bench:crash
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { dedupKeyOf } from '../src/inbox/dedup-key';
import { toOrderUpdate } from '../src/orders/order-update';
import { KiteSimulator } from '../src/simulator';
import { freePort } from '../test/helpers/engine-process';
import { EngineChild, openStoreReadOnly, simulatorEngineEnv, spawnEngine, storeCounts } from './lib/engine-child';
import { kiteFor } from './lib/oms-seed';
import { PostbackStream } from './lib/postback-stream';
import { isSmoke, seededRandom, writeResults } from './lib/results';

const SECRET = 'bench-crash-secret-0123';
const smoke = isSmoke();
const KILLS = Number(process.env.BENCH_KILLS ?? (smoke ? 1 : 5));
const SEED = Number(process.env.BENCH_SEED ?? Date.now() % 1_000_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
/** Load runs this long (uniformly random, ms) before each kill. */
const LOAD_WINDOW_MS: [number, number] = smoke ? [300, 900] : [500, 4000];
/** The load goes on past its window until at least this many postbacks of the cycle were acknowledged. */
const MIN_ACKS_BEFORE_KILL = smoke ? 10 : 50;
/** two-leg places an exit leg (unique Kite tag) when an entry tagged `twoleg` completes: the legs under test. */
const STRATEGIES = process.env.BENCH_STRATEGIES ?? 'two-leg';
const ENTRY_TAG = 'twoleg';

interface Cycle {
  cycle: number;
  loadMs: number;
  /** Bodies handed to autocannon (including ones cut off by the kill). */
  built: number;
  acknowledged: number;
  non2xx: number;
  /** Request errors while the engine was up (the refused reconnects after the kill are not counted). */
  errors: number;
  simOrdersPlaced: number;
  killed: boolean;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const random = seededRandom(SEED);
  const dir = mkdtempSync(join(tmpdir(), 'legwork-bench-crash-'));
  const db = join(dir, 'crash.sqlite');
  const port = await freePort();
  const engineUrl = `http://127.0.0.1:${port}`;
  const sim = await new KiteSimulator({
    apiSecret: SECRET,
    startPrices: { SBIN: 470, INFY: 1500 },
    partialFillSteps: 3,
    postbackUrl: `${engineUrl}/kite/postback`,
    postbackOnOpen: true,
    seed: SEED,
    log: () => undefined,
  }).start();
  const kite = kiteFor(sim);
  // A leg in flight at a kill is claimed by the dead engine and then unknown until its order shows or the settle window
  // passes; the simulator shows orders at once, so short windows keep the bench quick without changing what it checks.
  const env = simulatorEngineEnv(sim, SECRET, {
    DATABASE_PATH: db,
    STRATEGIES,
    LOG_LEVEL: 'warn',
    LEG_CLAIM_LEASE_MS: '2000',
    LEG_SETTLE_WINDOW_MS: '2000',
    LEG_RECOVERY_INTERVAL_SECONDS: '1',
  });

  const stream = new PostbackStream(SECRET, SEED);
  /** Dedup key → highest filled_quantity among acknowledged bodies of that order, per order. */
  const ackedKeys = new Set<string>();
  const ackedFilled = new Map<string, number>();
  let acknowledged = 0;
  const cycles: Cycle[] = [];
  let engine: EngineChild | undefined;

  try {
    for (let cycle = 1; cycle <= KILLS; cycle++) {
      engine = await spawnEngine(env, port);
      const loadMs = Math.round(LOAD_WINDOW_MS[0] + random() * (LOAD_WINDOW_MS[1] - LOAD_WINDOW_MS[0]));
      const before = acknowledged;
      let sent = 0;
      const simPlaced = { n: 0 };
      const driving = driveSimulator(sim, kite, random, simPlaced);
      let finish: (result: autocannon.Result) => void = () => undefined;
      const finished = new Promise<autocannon.Result>((resolve) => (finish = resolve));
      let killed = false;
      let errorsBeforeKill = 0;
      const instance = autocannon(
        {
          url: `${engineUrl}/kite/postback`,
          method: 'POST',
          connections: CONNECTIONS,
          duration: 600,
          headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
          requests: [
            {
              // One request in flight per connection (no pipelining), so the context holds the body being answered.
              setupRequest: (req, context) => {
                // Past the kill, nothing gets through: do not use up the stream on refused connections.
                const body = killed ? ((context as { body?: string }).body ?? stream.next()) : stream.next();
                (context as { body?: string }).body = body;
                if (!killed) sent++;
                return { ...req, body };
              },
              onResponse: (status, _body, context) => {
                if (status !== 200) return;
                acknowledged++;
                const text = (context as { body: string }).body;
                const payload = JSON.parse(text) as Record<string, unknown>;
                ackedKeys.add(dedupKeyOf(toOrderUpdate(payload)));
                const id = String(payload.order_id);
                ackedFilled.set(id, Math.max(ackedFilled.get(id) ?? 0, Number(payload.filled_quantity)));
              },
            },
          ],
        },
        (error, result) => finish(result),
      );
      // After the kill autocannon keeps reconnecting (ECONNREFUSED) until it stops: only errors before it count.
      instance.on('reqError', () => void (killed || errorsBeforeKill++));
      await new Promise((r) => setTimeout(r, loadMs));
      // A kill before anything was acknowledged would check nothing: on a slow machine the load runs on until some was.
      const giveUpAt = Date.now() + 60_000;
      while (acknowledged - before < MIN_ACKS_BEFORE_KILL) {
        if (Date.now() > giveUpAt) throw new Error(`cycle ${cycle}: the engine acknowledged ${acknowledged - before} postbacks in 60 s`);
        await new Promise((r) => setTimeout(r, 10));
      }
      engine.child.kill('SIGKILL'); // mid-load: requests in flight get no answer
      killed = true;
      instance.stop();
      await engine.kill9();
      const result = await finished;
      driving.stop();
      await driving.done;
      cycles.push({
        cycle,
        loadMs,
        built: sent,
        acknowledged: acknowledged - before,
        non2xx: result.non2xx,
        errors: errorsBeforeKill,
        simOrdersPlaced: simPlaced.n,
        killed: true,
      });
      console.log(`cycle ${cycle}: load ${loadMs} ms, ${acknowledged - before} acknowledged of ${sent} bodies built, ${simPlaced.n} simulator orders; kill -9`);
    }

    // The simulator keeps trading while the engine is down (postbacks to a dead port are lost, as with Kite).
    sim.tick(3);
    // Final start: boot reconcile + inbox backlog, then a clean stop.
    engine = await spawnEngine(env, port);
    await settle(db, sim);
    await engine.stop();

    const checks = checkStore(db, sim, ackedKeys, ackedFilled);
    const correct =
      checks.ackedMissing === 0 &&
      checks.fillSumMismatches === 0 &&
      checks.filledBelowAcknowledged === 0 &&
      checks.duplicateFillRows === 0 &&
      checks.simOrderMismatches === 0 &&
      checks.tagsPlacedTwice === 0 &&
      checks.legsPlacedButNotInOms === 0 &&
      checks.unsettledLegs === 0 &&
      checks.completedEntriesWithoutLeg === 0 &&
      checks.counts.inboxPending === 0 &&
      checks.counts.inboxFailed === 0 &&
      checks.counts.undispatched === 0;
    console.log(`\ncrash safety: ${KILLS} × kill -9 under load (seed ${SEED}, ${CONNECTIONS} connections)`);
    console.table(cycles);
    console.table([
      {
        acknowledged,
        'acked keys': ackedKeys.size,
        'acked missing': checks.ackedMissing,
        'fill-sum mismatches': checks.fillSumMismatches,
        'below acked fill': checks.filledBelowAcknowledged,
        'duplicate fills': checks.duplicateFillRows,
        'sim mismatches': checks.simOrderMismatches,
        legs: checks.legRows,
        'leg tags placed twice': checks.tagsPlacedTwice,
        'entries without leg': checks.completedEntriesWithoutLeg,
        'orders checked': checks.ordersChecked,
      },
    ]);
    const file = writeResults('crash', smoke, startedAt, {
      seed: SEED,
      kills: KILLS,
      connections: CONNECTIONS,
      strategies: STRATEGIES,
      cycles,
      acknowledged,
      acknowledgedKeys: ackedKeys.size,
      checks,
      summary: { lostAcknowledged: checks.ackedMissing, correct },
    });
    console.log(`results: ${file}`);
    console.log(correct ? 'PASS: nothing acknowledged was lost, fills add up, nothing doubled' : 'FAIL: see checks above');
    if (!correct) process.exitCode = 1;
  } finally {
    await engine?.kill9();
    await sim.stop();
    if (process.env.BENCH_KEEP) console.log(`kept: ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Orders into the simulator while the engine runs: LIMIT BUYs at or near the market that fill in thirds as the
 * price walks, a few cancelled; the simulator posts each change to the engine.
 */
function driveSimulator(sim: KiteSimulator, kite: ReturnType<typeof kiteFor>, random: () => number, placed: { n: number }) {
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const symbol = random() < 0.5 ? 'SBIN' : 'INFY';
      const entry = random() < 0.4;
      try {
        const { order_id } = await kite.placeOrder('regular', {
          ...(entry ? { tag: ENTRY_TAG } : {}),
          exchange: 'NSE',
          tradingsymbol: symbol,
          transaction_type: 'BUY',
          quantity: 3 * (1 + Math.floor(random() * 5)),
          product: 'CNC',
          order_type: 'LIMIT',
          price: Math.round((sim.getPrice(symbol) + (random() < 0.8 ? 1 : -5)) * 20) / 20,
        });
        placed.n++;
        if (!entry && random() < 0.1) await kite.cancelOrder('regular', order_id).catch(() => undefined);
      } catch {
        /* a placement the simulator refused is fine here */
      }
      sim.tick();
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return { stop: () => (stopped = true), done };
}

/**
 * Wait until everything has run its course: the simulator's postbacks delivered, the inbox worked, every stored
 * event published (its handlers, and so leg placements, done), no leg still being placed; twice in a row, since
 * a placed leg makes new postbacks.
 */
async function settle(db: string, sim: KiteSimulator): Promise<void> {
  const deadline = Date.now() + 300_000;
  let quietPolls = 0;
  while (quietPolls < 2) {
    await new Promise((r) => setTimeout(r, 200));
    await sim.flushPostbacks();
    const store = openStoreReadOnly(db);
    const counts = storeCounts(store);
    const unsettled = Number((store.prepare(`SELECT COUNT(*) AS n FROM legs WHERE status IN ('intent', 'placing', 'unknown')`).get() as { n: number }).n);
    store.close();
    quietPolls = counts.inboxPending === 0 && counts.undispatched === 0 && unsettled === 0 ? quietPolls + 1 : 0;
    if (Date.now() > deadline) throw new Error(`engine did not settle: ${JSON.stringify({ ...counts, unsettledLegs: unsettled })}`);
  }
}

function checkStore(db: string, sim: KiteSimulator, ackedKeys: Set<string>, ackedFilled: Map<string, number>) {
  const store = openStoreReadOnly(db);
  try {
    const counts = storeCounts(store);
    const storedKeys = new Set((store.prepare('SELECT "dedupKey" AS k FROM inbox').all() as Array<{ k: string }>).map((r) => r.k));
    const ackedMissing = [...ackedKeys].filter((k) => !storedKeys.has(k)).length;

    const orders = store.prepare('SELECT "orderId", status, "filledQuantity" AS filled FROM orders').all() as Array<{
      orderId: string;
      status: string;
      filled: number;
    }>;
    const fillRows = store
      .prepare('SELECT "orderId", SUM(quantity) AS q, MAX("cumulativeQuantity") AS top, COUNT(*) AS n FROM fills GROUP BY "orderId"')
      .all() as Array<{
      orderId: string;
      q: number;
      top: number;
      n: number;
    }>;
    const fills = new Map(fillRows.map((f) => [f.orderId, f]));
    const duplicateFillRows = Number(
      (store.prepare('SELECT COUNT(*) AS n FROM (SELECT 1 FROM fills GROUP BY "orderId", "cumulativeQuantity" HAVING COUNT(*) > 1)').get() as { n: number }).n,
    );
    // The newest stored update per order (the stream's filled quantity never falls, so it is the highest).
    const newestFilled = new Map<string, number>();
    for (const row of store.prepare('SELECT "orderId", "rawBody" FROM inbox').iterate() as Iterable<{ orderId: string; rawBody: string }>) {
      const filled = Number((JSON.parse(row.rawBody) as Record<string, unknown>).filled_quantity ?? 0);
      newestFilled.set(row.orderId, Math.max(newestFilled.get(row.orderId) ?? 0, filled));
    }

    const samples: string[] = [];
    const note = (text: string) => samples.length < 10 && samples.push(text);
    let fillSumMismatches = 0;
    let filledBelowAcknowledged = 0;
    for (const order of orders) {
      const fill = fills.get(order.orderId) ?? { q: 0, top: 0, n: 0 };
      if (fill.q !== order.filled || (fill.n > 0 && fill.top !== order.filled) || order.filled !== (newestFilled.get(order.orderId) ?? 0)) {
        fillSumMismatches++;
        note(`${order.orderId}: stored filled ${order.filled}, fills sum ${fill.q}, newest stored update ${newestFilled.get(order.orderId)}`);
      }
      if (order.filled < (ackedFilled.get(order.orderId) ?? 0)) {
        filledBelowAcknowledged++;
        note(`${order.orderId}: stored filled ${order.filled} below acknowledged ${ackedFilled.get(order.orderId)}`);
      }
    }
    const byId = new Map(orders.map((o) => [o.orderId, o]));
    let simOrderMismatches = 0;
    const simOrders = sim.getOrders();
    for (const oms of simOrders) {
      const mine = byId.get(oms.order_id);
      if (!mine || mine.status !== oms.status || mine.filled !== oms.filled_quantity) {
        simOrderMismatches++;
        note(`sim ${oms.order_id}: store ${mine ? `${mine.status} ${mine.filled}` : 'missing'} vs OMS ${oms.status} ${oms.filled_quantity}`);
      }
    }
    // No leg placed twice: every leg's unique Kite tag is on at most one order in the OMS, and a leg the store calls
    // placed is there. Every completed entry got its leg (at-least-once events + unique leg keys = exactly once).
    const legs = store.prepare('SELECT tag, status, "orderId", "parentOrderId" FROM legs').all() as Array<{
      tag: string;
      status: string;
      orderId: string | null;
      parentOrderId: string;
    }>;
    const perTag = new Map<string, number>();
    for (const oms of simOrders) if (oms.tag) perTag.set(oms.tag, (perTag.get(oms.tag) ?? 0) + 1);
    let tagsPlacedTwice = 0;
    let legsPlacedButNotInOms = 0;
    for (const leg of legs) {
      const placed = perTag.get(leg.tag) ?? 0;
      if (placed > 1) {
        tagsPlacedTwice++;
        note(`leg ${leg.tag}: ${placed} orders in the OMS`);
      }
      if (leg.status === 'placed' && placed === 0) {
        legsPlacedButNotInOms++;
        note(`leg ${leg.tag}: placed (order ${leg.orderId}) but no OMS order carries its tag`);
      }
    }
    const unsettledLegs = legs.filter((leg) => leg.status === 'intent' || leg.status === 'placing' || leg.status === 'unknown').length;
    const legParents = new Set(legs.map((leg) => leg.parentOrderId));
    const completedEntries = simOrders.filter((o) => o.tag === ENTRY_TAG && o.status === 'COMPLETE');
    const completedEntriesWithoutLeg = STRATEGIES.split(',').some((s) => s === 'two-leg' || s === 'all')
      ? completedEntries.filter((o) => !legParents.has(o.order_id)).length
      : 0;
    return {
      counts,
      ordersChecked: orders.length,
      simOrders: simOrders.length,
      ackedMissing,
      fillSumMismatches,
      filledBelowAcknowledged,
      duplicateFillRows,
      simOrderMismatches,
      legRows: legs.length,
      legsByStatus: legs.reduce<Record<string, number>>((acc, leg) => ({ ...acc, [leg.status]: (acc[leg.status] ?? 0) + 1 }), {}),
      completedEntries: completedEntries.length,
      completedEntriesWithoutLeg,
      tagsPlacedTwice,
      legsPlacedButNotInOms,
      unsettledLegs,
      samples,
    };
  } finally {
    store.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
