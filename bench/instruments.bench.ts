/**
 * npm run bench:instruments — loading Kite's instrument list, and postback ingress while it loads.
 *
 * A list of BENCH_INSTRUMENT_ROWS made-up NFO options (default 100,000, the order of Kite's full dump) is served in
 * Kite's CSV format to the engine's real kiteconnect client; the engine stores it in its SQLite file (batches of
 * 1,000 rows, each its own write transaction, one commit to switch lists). Meanwhile signed postbacks are sent one at
 * a time and their acknowledgement (200 after the inbox commit, fsynced) is timed.
 *
 * Baseline, same run: the same postbacks with no load running. Reported: load time (fetch + parse by kiteconnect,
 * store), the longest event-loop stall during the load (kiteconnect parses the CSV synchronously), and ack latency
 * p50/p99/max idle vs during the load, with their ratios.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import request from 'supertest';
import { InstrumentsLoader } from '../src/instruments/instruments.loader';
import { KiteSimulator } from '../src/simulator';
import { eventually } from '../test/helpers/eventually';
import { syntheticInstrumentsCsv } from '../test/helpers/instrument-store';
import { KiteProxy } from '../test/helpers/kite-proxy';
import { signedPostback, SAMPLE_API_SECRET } from '../test/helpers/postbacks';
import { createTestApp, testEnv, TestApp } from '../test/helpers/test-app';
import { isSmoke, ms, writeResults } from './lib/results';

const smoke = isSmoke();
const ROWS = Number(process.env.BENCH_INSTRUMENT_ROWS ?? (smoke ? 5_000 : 100_000));
const IDLE_POSTBACKS = smoke ? 20 : 300;

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
function summary(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { count: sorted.length, p50: +quantile(sorted, 0.5).toFixed(2), p99: +quantile(sorted, 0.99).toFixed(2), max: +sorted[sorted.length - 1].toFixed(2) };
}

let orderSeq = 0;
async function ack(t: TestApp): Promise<number> {
  const body = signedPostback({ order_id: String(880_000_000_000_000 + ++orderSeq), status: 'COMPLETE', tradingsymbol: 'SBIN' });
  const started = performance.now();
  const res = await request(t.app.getHttpServer()).post('/kite/postback').type('form').send(JSON.stringify(body));
  if (res.status !== 200) throw new Error(`postback answered ${res.status}`);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'legwork-bench-instruments-'));
  const sim = await new KiteSimulator({ apiSecret: SAMPLE_API_SECRET, log: () => undefined }).start();
  const proxy = await new KiteProxy(sim.url).start();
  proxy.instrumentsBody = syntheticInstrumentsCsv(ROWS);
  const t = await createTestApp(
    testEnv(dir, {
      KITE_ROOT_URL: proxy.url,
      KITE_API_KEY: sim.options.apiKey,
      KITE_ACCESS_TOKEN: sim.options.accessToken,
      INSTRUMENTS_AUTOLOAD: 'false',
      RECONCILE_ON_BOOT: 'false',
    }),
    { listen: true },
  );
  try {
    for (let i = 0; i < 10; i++) await ack(t); // warm-up
    const idle: number[] = [];
    for (let i = 0; i < IDLE_POSTBACKS; i++) idle.push(await ack(t));

    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const loadStarted = performance.now();
    const load = t.app.get(InstrumentsLoader).refresh('demand', { force: true });
    let finished = false;
    void load.finally(() => (finished = true));
    const during: number[] = [];
    while (!finished) during.push(await ack(t));
    const result = await load;
    const loadMs = performance.now() - loadStarted;
    loop.disable();
    if (!('fetchMs' in result) || result.rows !== ROWS) throw new Error(`the list did not load whole: ${JSON.stringify(result)}`);
    await eventually(async () => (await t.app.get(InstrumentsLoader).status()).list?.rows === ROWS, 'the list in use');

    const idleStats = summary(idle);
    const duringStats = summary(during);
    const body = {
      rows: ROWS,
      load: { totalMs: ms(loadMs), fetchAndParseMs: result.fetchMs, storeMs: result.storeMs, rowsPerSecond: Math.round(ROWS / (result.storeMs / 1000)) },
      eventLoopMaxStallMs: ms(loop.max / 1e6),
      ackIdleMs: idleStats,
      ackDuringLoadMs: duringStats,
      ratios: { p50: +(duringStats.p50 / idleStats.p50).toFixed(2), p99: +(duringStats.p99 / idleStats.p99).toFixed(2) },
    };
    const file = writeResults('instruments', smoke, startedAt, body);
    console.log(
      `instrument list: ${ROWS} rows in ${body.load.totalMs} ms (fetch + parse ${result.fetchMs} ms, store ${result.storeMs} ms, ${body.load.rowsPerSecond} rows/s)`,
    );
    console.log(`longest event-loop stall while loading: ${body.eventLoopMaxStallMs} ms`);
    console.log(`postback ack, idle:         p50 ${idleStats.p50} ms  p99 ${idleStats.p99} ms  max ${idleStats.max} ms  (${idleStats.count})`);
    console.log(`postback ack, during load:  p50 ${duringStats.p50} ms  p99 ${duringStats.p99} ms  max ${duringStats.max} ms  (${duringStats.count})`);
    console.log(`ratios during/idle: p50 ${body.ratios.p50}×, p99 ${body.ratios.p99}×   → ${file}`);
  } finally {
    await t.close();
    await proxy.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
