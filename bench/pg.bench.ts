/**
 * npm run bench:pg — the engine on PostgreSQL against the engine on SQLite, same run, same machine, same arrangement.
 *
 * Two measurements per backend, each engine in this process with the Kite simulator (as bench:leg does by default):
 * - ingress: N signed postbacks over HTTP, CONCURRENCY in flight; throughput and the ack latency (the answer comes
 *   after the durable inbox commit: SQLite's fdatasync of its WAL, PostgreSQL's COMMIT);
 * - postback → leg: chains one after the other, a COMPLETE entry postback tagged `twoleg` until the two-leg strategy's
 *   exit placement reaches the simulator (its request log stamps performance.now(): one clock).
 * Reported: p50/p99 per backend and PostgreSQL's ratios to SQLite. The PostgreSQL server: LEGWORK_TEST_POSTGRES_URL
 * or postgres://postgres@127.0.0.1:5432/postgres (a database legwork_<random> is created and dropped).
 */
import { performance } from 'node:perf_hooks';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { postbackChecksum } from '../src/common/kite-checksum';
import { KiteSimulator } from '../src/simulator';
import { createTestDatabase } from '../test/helpers/postgres';
import { tempDir } from '../test/helpers/test-app';
import { isSmoke, ms, writeResults } from './lib/results';

const SECRET = 'bench-pg-secret';
const smoke = isSmoke();
const POSTBACKS = Number(process.env.BENCH_POSTBACKS ?? (smoke ? 200 : 4000));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const CHAINS = Number(process.env.BENCH_CHAINS ?? (smoke ? 10 : 200));
const WARMUP = smoke ? 3 : 20;

interface Latencies {
  p50: number;
  p99: number;
  max: number;
}

const percentiles = (samples: number[]): Latencies => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: +at(0.5).toFixed(3), p99: +at(0.99).toFixed(3), max: +sorted[sorted.length - 1].toFixed(3) };
};

const signed = (body: Record<string, unknown>) => ({
  ...body,
  checksum: postbackChecksum(String(body.order_id), String(body.order_timestamp), SECRET),
});

let nextId = 7_100_000_000_000_000_000n;
const orderId = () => String(nextId++);

function postbackBody(id: string, extra: Record<string, unknown> = {}) {
  return signed({
    order_id: id,
    status: 'OPEN',
    exchange: 'NSE',
    tradingsymbol: 'SBIN',
    transaction_type: 'BUY',
    product: 'MIS',
    order_type: 'LIMIT',
    quantity: 1,
    filled_quantity: 0,
    pending_quantity: 1,
    average_price: 0,
    price: 470,
    order_timestamp: '2026-11-25 09:15:00',
    exchange_update_timestamp: '2026-11-25 09:15:00',
    ...extra,
  });
}

async function post(url: string, body: unknown): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

async function run(backend: 'sqlite' | 'postgres') {
  const tmp = tempDir('legwork-bench-pg-');
  const db = backend === 'postgres' ? await createTestDatabase() : null;
  const sim = await new KiteSimulator({ apiSecret: SECRET, seed: 7, startPrices: { SBIN: 470 }, maxQuantity: 100_000, log: () => undefined }).start();
  const env: Record<string, string> = {
    LEGWORK_MODE: 'paper',
    PAPER_SIMULATOR: 'false',
    KITE_API_SECRET: SECRET,
    KITE_API_KEY: sim.options.apiKey,
    KITE_ACCESS_TOKEN: sim.options.accessToken,
    KITE_ROOT_URL: sim.url,
    DATABASE_PATH: `${tmp.dir}/legwork.sqlite`,
    STRATEGIES: 'two-leg',
    KITE_WS_ORDER_UPDATES: 'false',
    INSTRUMENTS_AUTOLOAD: 'false',
    RECONCILE_ON_BOOT: 'false',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    // Kite's 10 orders/s pacing is a deliberate wait, not store latency: lifted, as in bench:leg.
    ORDERS_PER_SECOND: '100000',
    ORDERS_PER_MINUTE: '10000000',
    ORDERS_PER_DAY: '10000000',
    ...(db ? { DATABASE_URL: db.url } : {}),
  };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(env), { bodyParser: false, logger: ['error'] });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const url = `${base}/kite/postback`;
  sim.setPostbackUrl(url);
  // The engine is leader (or single) and has done its first pass before we measure.
  for (let i = 0; i < 200; i++) {
    const res = (await fetch(`${base}/health/ready`)
      .then((r) => r.json())
      .catch(() => null)) as { details?: { instance?: { role?: string } } } | null;
    if (res?.details?.instance?.role === 'leader' || res?.details?.instance?.role === 'single') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    // Ingress.
    for (let i = 0; i < WARMUP * 5; i++) await post(url, postbackBody(orderId()));
    const ack: number[] = [];
    const started = performance.now();
    let sent = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent < POSTBACKS) {
          sent++;
          const t0 = performance.now();
          const status = await post(url, postbackBody(orderId()));
          if (status !== 200) throw new Error(`postback answered ${status}`);
          ack.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const ingress = { postbacks: POSTBACKS, concurrency: CONCURRENCY, perSecond: Math.round(POSTBACKS / seconds), ackMs: percentiles(ack) };

    // Postback → leg.
    const legMs: number[] = [];
    for (let i = 0; i < WARMUP + CHAINS; i++) {
      const entry = orderId();
      const seen = sim.requests.length;
      const t0 = performance.now();
      const status = await post(
        url,
        postbackBody(entry, { status: 'COMPLETE', tag: 'twoleg', order_type: 'MARKET', filled_quantity: 1, pending_quantity: 0, average_price: 470 }),
      );
      if (status !== 200) throw new Error(`entry postback answered ${status}`);
      let placed: number | undefined;
      for (const deadline = Date.now() + 10_000; placed === undefined && Date.now() < deadline;) {
        const hit = sim.requests.slice(seen).find((r) => r.method === 'POST' && r.path.startsWith('/orders/') && String(r.body.tag ?? '').startsWith('lw'));
        if (hit) placed = hit.receivedHr;
        else await new Promise((r) => setImmediate(r));
      }
      if (placed === undefined) throw new Error(`no exit placed for entry ${entry}`);
      if (i >= WARMUP) legMs.push(placed - t0);
    }
    return { ingress, postbackToLegMs: { chains: CHAINS, ...percentiles(legMs) } };
  } finally {
    await app.close();
    await sim.stop();
    await db?.drop();
    tmp.cleanup();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const sqlite = await run('sqlite');
  const postgres = await run('postgres');
  const ratio = (a: number, b: number) => +(a / b).toFixed(2);
  const ratios = {
    ingressThroughput: ratio(postgres.ingress.perSecond, sqlite.ingress.perSecond),
    ackP50: ratio(postgres.ingress.ackMs.p50, sqlite.ingress.ackMs.p50),
    ackP99: ratio(postgres.ingress.ackMs.p99, sqlite.ingress.ackMs.p99),
    legP50: ratio(postgres.postbackToLegMs.p50, sqlite.postbackToLegMs.p50),
    legP99: ratio(postgres.postbackToLegMs.p99, sqlite.postbackToLegMs.p99),
  };
  console.log(`\nlegwork on PostgreSQL vs SQLite (same run; ratios are PostgreSQL / SQLite)\n`);
  for (const [name, r] of [
    ['SQLite', sqlite],
    ['PostgreSQL', postgres],
  ] as const) {
    console.log(
      `${name.padEnd(11)} ingress ${String(r.ingress.perSecond).padStart(6)} postbacks/s, ack p50 ${r.ingress.ackMs.p50} ms p99 ${r.ingress.ackMs.p99} ms | ` +
        `postback→leg p50 ${r.postbackToLegMs.p50} ms p99 ${r.postbackToLegMs.p99} ms`,
    );
  }
  console.log(
    `ratios      ingress throughput ×${ratios.ingressThroughput}, ack p50 ×${ratios.ackP50}, p99 ×${ratios.ackP99}; postback→leg p50 ×${ratios.legP50}, p99 ×${ratios.legP99}`,
  );
  const file = writeResults('pg', smoke, startedAt, { sqlite, postgres, ratios, wallMs: ms(Date.now() - startedAt.getTime()) });
  console.log(`\nresults: ${file}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
