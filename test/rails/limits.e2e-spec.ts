import { join } from 'node:path';
import request from 'supertest';
import { OrderGateway } from '../../src/broker/order-gateway.service';
import type { LegOrder } from '../../src/broker/leg-order';
import { PlacementRefusedError } from '../../src/broker/order-rails';
import type { KiteSimulator } from '../../src/simulator';
import { Leg } from '../../src/broker/entities/leg.entity';
import { legTag } from '../../src/broker/leg-tag';
import { runKillSwitch } from '../../src/cli/killswitch.cli';
import { KillSwitchService } from '../../src/rails/kill-switch.service';
import { OrderPacer } from '../../src/rails/rate-limits';
import { engineEnv, legPlacements, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

const limit = (price: number): LegOrder => ({
  exchange: 'NSE',
  tradingsymbol: 'SBIN',
  transaction_type: 'SELL',
  quantity: 1,
  product: 'MIS',
  order_type: 'LIMIT',
  price,
});

/**
 * Holds the engine's pacer shut after `pass` order actions: the rest wait their turn, counted as queued, until
 * release(), as they would behind a full second but for as long as the test needs. Their turn, the re-check after
 * the queue and Kite are all real; only the moment the queue moves is the test's.
 */
function holdPacerAfter(pacer: OrderPacer, pass: number): { release(): void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const take = pacer.take.bind(pacer);
  let passed = 0;
  pacer.take = async () => {
    if (passed++ >= pass) {
      pacer.waiting++;
      try {
        await gate;
      } finally {
        pacer.waiting--;
      }
    }
    return take();
  };
  return { release };
}

// Each test has its own simulator (its 429 counts the last second of placements) and its own trade log.
describe('rails: kill switch under load, limits counted in the database, usage', () => {
  let tmp: ReturnType<typeof tempDir>;
  let sim: KiteSimulator;
  let t: TestApp | undefined;
  let parent = 900000;
  const start = async (db: string, extra: Record<string, string> = {}) => {
    await t?.close();
    t = await startEngine(sim, engineEnv(sim, tmp.dir, { DATABASE_PATH: join(tmp.dir, db), ...extra }));
    return t;
  };
  const placeLeg = (order: LegOrder) => t!.app.get(OrderGateway).placeLeg({ strategy: 'limits-test', parentOrderId: String(parent++), legName: 'leg', order });
  const http = () => request(t!.app.getHttpServer());

  beforeEach(async () => {
    tmp = tempDir();
    sim = await startSimulator({ orderRateLimitPerSecond: 10, requireMarketProtection: true });
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await sim?.stop();
    tmp.cleanup();
  });

  it('the kill switch refuses every order still waiting in the queue when it trips: none of them reaches Kite', async () => {
    await start('kill.sqlite');
    const queue = holdPacerAfter(t!.app.get(OrderPacer), 3);
    sim.clearRequests();
    const outcomes = Promise.all(Array.from({ length: 20 }, (_, i) => placeLeg(limit(900 + i))));
    await eventually(() => legPlacements(sim).length === 3 && t!.app.get(OrderPacer).waiting === 17, 'three orders sent and seventeen queued');
    expect((await http().get('/rails')).body.orders.queued).toBe(17);

    const tripped = await http().post('/rails/kill-switch').send({ reason: 'test: stop now' });
    expect(tripped.status).toBe(200);
    queue.release();

    const results = await outcomes;
    expect(results.slice(0, 3).map((o) => o.status)).toEqual(['placed', 'placed', 'placed']);
    for (const o of results.slice(3)) {
      expect(o).toMatchObject({
        status: 'failed',
        error: { errorType: 'KillSwitch', message: expect.stringMatching(/kill switch tripped while the order was queued/) },
      });
    }
    expect(legPlacements(sim)).toHaveLength(3);

    const usage = await http().get('/rails');
    expect(usage.body.killSwitch).toMatchObject({ tripped: true, reason: 'test: stop now' });
    expect(usage.body.orders).toMatchObject({ queued: 0, perDay: { used: 3, limit: 5000 } });
    expect((await http().get('/metrics')).text).toContain('legwork_kill_switch_tripped 1');
  });

  it('the daily limit is counted in the database: it holds across a restart and for orders that queued together', async () => {
    await start('daily.sqlite', { ORDERS_PER_DAY: '3' });
    for (const price of [901, 902]) expect((await placeLeg(limit(price))).status).toBe('placed');

    await start('daily.sqlite', { ORDERS_PER_DAY: '3' }); // a restart: the two are still counted
    sim.clearRequests();
    const burst = await Promise.all([903, 904, 905].map((price) => placeLeg(limit(price)))); // all pass the first check
    expect(burst.map((o) => o.status).sort()).toEqual(['failed', 'failed', 'placed']);
    for (const o of burst.filter((b) => b.status === 'failed')) {
      expect(o.error).toMatchObject({ errorType: 'DailyOrderLimit', message: 'daily order limit reached: 3 of 3 orders placed today (ORDERS_PER_DAY)' });
    }
    expect(legPlacements(sim)).toHaveLength(1);

    const usage = await http().get('/rails');
    expect(usage.body.orders).toMatchObject({ perSecond: { limit: 10 }, perMinute: { limit: 400 }, perDay: { used: 3, limit: 3 }, queued: 0 });
    const metrics = (await http().get('/metrics')).text;
    expect(metrics).toContain('legwork_rails_order_usage{window="day"} 3');
    expect(metrics).toContain('legwork_rails_order_limit{window="day"} 3');
    expect(metrics).toContain('legwork_kill_switch_tripped 0');
  });

  it('modifications per order are counted in the database: the limit holds across a restart', async () => {
    await start('modify.sqlite', { MODIFICATIONS_PER_ORDER: '2' });
    const leg = await placeLeg(limit(950));
    const gateway = () => t!.app.get(OrderGateway);
    await gateway().modifyOrder('regular', leg.orderId!, { price: 951 });
    await gateway().modifyOrder('regular', leg.orderId!, { price: 952 });
    await start('modify.sqlite', { MODIFICATIONS_PER_ORDER: '2' });
    sim.clearRequests();
    const third = await gateway()
      .modifyOrder('regular', leg.orderId!, { price: 953 })
      .catch((e: unknown) => e);
    expect(third).toBeInstanceOf(PlacementRefusedError);
    expect(third).toMatchObject({
      code: 'ModificationLimit',
      message: `order ${leg.orderId} was modified 2 times, Kite's limit is 2 (MODIFICATIONS_PER_ORDER)`,
    });
    expect(sim.requests.filter((r) => r.method === 'PUT')).toHaveLength(0);
    expect(sim.getOrder(leg.orderId!)!.price).toBe(952);
  });

  it('MARKET_PROTECTION_DEFAULT fills in market protection on a MARKET order that has none', async () => {
    await start('protection.sqlite', { MARKET_PROTECTION_DEFAULT: '-1' });
    sim.clearRequests();
    const outcome = await placeLeg({ ...limit(0), order_type: 'MARKET', price: undefined });
    expect(outcome.status).toBe('placed');
    expect(legPlacements(sim, outcome.tag)[0].body.market_protection).toBe('-1');
  });

  it("a strategy's realised loss over its limit trips the kill switch, naming the strategy, the loss and the setting", async () => {
    await start('loss.sqlite', { STRATEGIES: 'two-leg', TWO_LEG_MAX_LOSS: '500' });
    const entry = (await place(kiteFor(sim), sbinBuy({ price: 300, quantity: 10, product: 'MIS', tag: 'twoleg' }))).order_id; // rests under the market
    sim.fillOrder(entry, 10, 480); // bought at 480
    const exit = await eventually(async () => {
      await t!.settle();
      return (await t!.dataSource.getRepository(Leg).findOneBy({ parentOrderId: entry, legName: 'exit' }))?.orderId;
    }, 'the exit leg');
    expect((await t!.app.get(KillSwitchService).status()).tripped).toBe(false); // open, but no loss yet
    sim.fillOrder(exit, 10, 380); // sold at 380: realised -1000
    const state = await eventually(async () => {
      await t!.settle();
      const s = await t!.app.get(KillSwitchService).status();
      return s.tripped && s;
    }, 'the kill switch tripped by the loss limit');
    expect(state).toMatchObject({ changedBy: 'limit:two-leg', reason: 'strategy two-leg lost 1000.00 today, over its limit of 500 (TWO_LEG_MAX_LOSS)' });
    await t!.app.get(KillSwitchService).rearm('test');
  });

  it('tripping with cancelOpen also cancels an order whose placement is still unsettled, found by its tag', async () => {
    await start('unsettled.sqlite');
    // The placement went through but its answer was lost: the leg is still "placing", with no order id yet.
    const tag = legTag('limits-test', 'lost-answer', 'exit');
    const order = { variety: 'regular', ...limit(990), tag };
    await t!.dataSource.getRepository(Leg).save({
      strategy: 'limits-test',
      chainId: 'lost-answer',
      parentOrderId: 'lost-answer',
      legName: 'exit',
      tag,
      status: 'placing',
      orderId: null,
      request: JSON.stringify(order),
      attempts: 1,
    });
    const orderId = (await place(kiteFor(sim), { ...limit(990), tag } as Parameters<typeof place>[1])).order_id;

    const tripped = await http().post('/rails/kill-switch').send({ reason: 'test: unsettled', cancelOpen: true });
    expect(tripped.body).toMatchObject({ tripped: true, cancelled: [orderId], cancelFailures: [] });
    expect(sim.getOrder(orderId)!.status).toBe('CANCELLED');
    await http().delete('/rails/kill-switch').expect(200);
  });

  it('npm run killswitch -- trip --cancel-open with no engine running trips the file and cancels through Kite directly', async () => {
    await start('offline.sqlite');
    const resting = await placeLeg(limit(991));
    await t!.close();
    t = undefined;
    const lines: string[] = [];
    const result = await runKillSwitch('trip', {
      url: 'http://127.0.0.1:1', // nothing listens: the CLI falls back to the file
      db: join(tmp.dir, 'offline.sqlite'),
      reason: 'engine down, flatten',
      cancelOpen: true,
      kite: { apiKey: sim.options.apiKey, accessToken: sim.options.accessToken, rootUrl: sim.url },
      print: (l) => lines.push(l),
    });
    expect(result).toEqual({ tripped: true, via: 'file', cancelled: [resting.orderId] });
    expect(sim.getOrder(resting.orderId!)!.status).toBe('CANCELLED');
    await start('offline.sqlite');
    expect(await t!.app.get(KillSwitchService).status()).toMatchObject({ tripped: true, reason: 'engine down, flatten', changedBy: 'cli' });
  });

  it('with RAILS_TOKEN set, the kill switch over HTTP needs it', async () => {
    const token = 'rails-token-for-the-test';
    await start('auth.sqlite', { RAILS_TOKEN: token, TRADE_LOG_TOKEN: 'trade-log-token-read-only' });
    expect((await http().post('/rails/kill-switch').send({ reason: 'no token' })).status).toBe(401);
    // The read-only trade log's token is not enough to stop (or restart) trading.
    expect((await http().post('/rails/kill-switch').set('authorization', 'Bearer trade-log-token-read-only').send({ reason: 'x' })).status).toBe(401);
    expect((await t!.app.get(KillSwitchService).status()).tripped).toBe(false);
    const tripped = await http().post('/rails/kill-switch').set('authorization', `Bearer ${token}`).send({ reason: 'with the token' });
    expect(tripped.body).toMatchObject({ tripped: true, reason: 'with the token' });
  });
});
