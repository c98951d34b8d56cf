import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { DataSource } from 'typeorm';
import { openDataSource } from '../../src/database/postgres/migrate-locked';
import { postgresDataSourceOptions } from '../../src/database/postgres/postgres-data-source.options';
import { dedupKeyOf } from '../../src/inbox/dedup-key';
import { toOrderUpdate } from '../../src/orders/order-update';
import type { KiteSimulator } from '../../src/simulator';
import { EngineProcess, startEngineProcess } from '../helpers/engine-process';
import { omsOrdersTagged, restartedEngineEnv, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { createTestDatabase, describePostgres, TestDatabase } from '../helpers/postgres';
import { tempDir } from '../helpers/test-app';
import { enterTwoLeg } from '../helpers/two-leg-entry';
import { ENTITIES } from '../../src/entities';

/**
 * The load balancer in front of the postback URL: round robin over the engines, and on a connection error or no
 * answer within a second the next one (nginx's proxy_next_upstream). Keeps every body an engine answered 200.
 */
class PostbackBalancer {
  readonly acknowledged: string[] = [];
  upstreams: string[] = [];
  url = '';
  private next = 0;
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    for (let tried = 0; tried < this.upstreams.length; tried++) {
      const upstream = this.upstreams[this.next++ % this.upstreams.length];
      const status = await forward(`${upstream}${req.url}`, req, body);
      if (status === null || status >= 500) continue;
      if (status === 200) this.acknowledged.push(body.toString('utf8'));
      res.writeHead(status).end();
      return;
    }
    res.writeHead(502).end();
  }
}

function forward(url: string, req: IncomingMessage, body: Buffer): Promise<number | null> {
  return new Promise((resolve) => {
    const out = request(url, { method: req.method, headers: { ...req.headers, 'content-length': String(body.length) }, timeout: 1_000 }, (answer) => {
      answer.resume();
      answer.on('end', () => resolve(answer.statusCode ?? null));
    });
    out.on('timeout', () => out.destroy(new Error('timeout')));
    out.on('error', () => resolve(null));
    out.end(body);
  });
}

/** Between one engine and the simulator: forwards its Kite calls and counts its order placements. */
class KiteTap {
  placements = 0;
  url = '';
  private server: Server | undefined;
  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      if (req.method === 'POST' && req.url?.startsWith('/orders/')) this.placements++;
      const headers = { ...req.headers, host: new URL(this.target).host };
      const upstream = request(`${this.target}${req.url}`, { method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

async function roleOf(engine: EngineProcess): Promise<string | null> {
  const res = await fetch(`${engine.url}/health/ready`).catch(() => null);
  if (!res) return null;
  const body = (await res.json().catch(() => null)) as { details?: { instance?: { role?: string } } } | null;
  return body?.details?.instance?.role ?? null;
}

describePostgres('several engine processes on one PostgreSQL database', () => {
  const tmp = tempDir();
  let db: TestDatabase;
  let sim: KiteSimulator;
  let balancer: PostbackBalancer;
  let store: DataSource;
  const taps: KiteTap[] = [];
  const engines: EngineProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startSimulator();
    balancer = await new PostbackBalancer().start();
    sim.setPostbackUrl(`${balancer.url}/kite/postback`);
  });
  afterAll(async () => {
    for (const engine of engines) {
      if (engine.child.exitCode === null && engine.child.signalCode === null) engine.child.kill('SIGCONT');
      await engine.stop();
    }
    await store?.destroy();
    await Promise.all(taps.map((t) => t.stop()));
    await balancer?.stop();
    await sim?.stop();
    await db?.drop();
    tmp.cleanup();
  });

  /** An engine process with its own tap to the simulator, on the shared database; postbacks reach it through the balancer. */
  async function engine(name: string): Promise<{ engine: EngineProcess; tap: KiteTap }> {
    const tap = await new KiteTap(sim.url).start();
    taps.push(tap);
    const env = restartedEngineEnv(sim, tmp.dir, `${name}.sqlite`, {
      STRATEGIES: 'two-leg',
      DATABASE_URL: db.url,
      KITE_ROOT_URL: tap.url,
      LEADER_LEASE_MS: '2000',
      INSTRUMENTS_AUTOLOAD: 'false',
    });
    const started = await startEngineProcess(env);
    engines.push(started);
    balancer.upstreams.push(started.url);
    return { engine: started, tap };
  }

  const leaderAmong = (candidates: EngineProcess[], what: string) =>
    eventually(
      async () => {
        for (const e of candidates) if ((await roleOf(e)) === 'leader') return e;
        return null;
      },
      what,
      20_000,
    );

  /** Chains: entry postbacks for the shipped two-leg strategy, each answered by its exit leg. */
  async function burst(n: number): Promise<string[]> {
    const tags: string[] = [];
    for (let i = 0; i < n; i++) tags.push((await enterTwoLeg(balancer.url, 5)).tag);
    return tags;
  }

  const pendingInbox = async () => Number((await store.query(`SELECT COUNT(*) AS n FROM "inbox" WHERE "processedAt" IS NULL`))[0].n);

  it('kill -9 of the leader: the standby takes over, every leg exactly once at the broker, no acknowledged postback lost, fills add up; a leader paused past its lease sends nothing after', async () => {
    const [a, b] = await Promise.all([engine('a'), engine('b')]);
    store = await openDataSource(postgresDataSourceOptions(db.url, ENTITIES));
    const leader = await leaderAmong([a.engine, b.engine], 'a leader');
    const standby = leader === a.engine ? b : a;
    expect(await roleOf(standby.engine)).toBe('standby');

    // A burst of chains; the leader is killed while it is placing their exits.
    const first = burst(20);
    await eventually(() => sim.getOrders().filter((o) => o.tag?.startsWith('lw')).length >= 3, 'exits being placed', 30_000);
    await leader.kill9();
    const tags = await first;
    await eventually(async () => (await roleOf(standby.engine)) === 'leader', 'the standby taking over', 20_000);

    // Every exit placed exactly once at the broker; everything acknowledged stored and processed.
    await eventually(() => tags.every((tag) => omsOrdersTagged(sim, tag).length >= 1), 'every exit at the broker', 60_000);
    await eventually(async () => (await pendingInbox()) === 0, 'the inbox worked empty', 30_000);
    for (const tag of tags) expect(omsOrdersTagged(sim, tag)).toHaveLength(1);
    const stored = new Set((await store.query<Array<{ dedupKey: string }>>(`SELECT "dedupKey" FROM "inbox"`)).map((r) => r.dedupKey));
    const lost = balancer.acknowledged.filter((body) => !stored.has(dedupKeyOf(toOrderUpdate(JSON.parse(body) as Record<string, unknown>))));
    expect(lost).toEqual([]);
    // Fills add up: per order, the fills stored are the quantity filled.
    const fills = await store.query<
      Array<{
        q: string;
        c: number;
      }>
    >(`SELECT "orderId", SUM("quantity") AS q, MAX("cumulativeQuantity") AS c FROM "fills" GROUP BY "orderId"`);
    expect(fills.length).toBeGreaterThanOrEqual(tags.length);
    for (const f of fills) expect(Number(f.q)).toBe(Number(f.c));

    // A third instance joins as standby; the leader is paused past its lease and the new one takes over.
    const c = await engine('c');
    const survivor = standby;
    expect(await roleOf(c.engine)).toBe('standby');
    survivor.engine.child.kill('SIGSTOP');
    await eventually(async () => (await roleOf(c.engine)) === 'leader', 'the third instance taking over from the paused leader', 20_000);
    const second = await burst(5);
    await eventually(() => second.every((tag) => omsOrdersTagged(sim, tag).length >= 1), 'the new leader placing the exits', 60_000);
    const sentBeforeResume = survivor.tap.placements;
    survivor.engine.child.kill('SIGCONT');
    // It finds out it lost leadership and exits (to be restarted as a standby); meanwhile it sent nothing.
    await eventually(() => survivor.engine.child.exitCode !== null, 'the resumed old leader stepping down', 20_000);
    expect(survivor.engine.output()).toMatch(/lost leadership/);
    expect(survivor.tap.placements).toBe(sentBeforeResume);
    await eventually(async () => (await pendingInbox()) === 0, 'the inbox worked empty', 30_000);
    for (const tag of [...tags, ...second]) expect(omsOrdersTagged(sim, tag)).toHaveLength(1);
  }, 240_000);
});
