import { join } from 'node:path';
import request from 'supertest';
import { OrderFilledEvent } from '../../src/events';
import { Order } from '../../src/orders/entities/order.entity';
import { KiteSimulator } from '../../src/simulator';
import { BootEventRecorder } from '../helpers/event-recorder';
import { eventually } from '../helpers/eventually';
import { legPlacements, omsOrdersTagged } from '../helpers/engine-with-simulator';
import { legTag } from '../../src/broker/leg-tag';
import { SAMPLE_API_SECRET } from '../helpers/postbacks';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

describe('reconcile on bootstrap against the simulator', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  beforeAll(async () => {
    sim = await new KiteSimulator({
      apiSecret: SAMPLE_API_SECRET,
      startPrices: { SBIN: 470 },
      maxQuantity: 1000,
      postbackOnOpen: true,
      log: () => undefined,
    }).start();
  });
  afterAll(async () => {
    await sim.stop();
    tmp.cleanup();
  });

  const env = (extra: Record<string, string> = {}) =>
    testEnv(tmp.dir, {
      ...extra,
      DATABASE_PATH: join(tmp.dir, 'reconcile.sqlite'),
      KITE_ROOT_URL: sim.url,
      KITE_API_KEY: sim.options.apiKey,
      KITE_ACCESS_TOKEN: sim.options.accessToken,
    });
  let running: TestApp | undefined;
  afterEach(() => running?.close().catch(() => undefined)); // a failed expectation must not leave a server holding Jest open
  const start = async (extra: Record<string, string> = {}): Promise<TestApp> => {
    const t = (running = await createTestApp(env(extra), { listen: true, providers: [BootEventRecorder] }));
    sim.setPostbackUrl(`${(await t.app.getUrl()).replace('[::1]', '127.0.0.1')}/kite/postback`);
    return t;
  };

  it('recovers what happened while the engine was down, as events emitted once each, in order', async () => {
    const kite = kiteFor(sim);
    let t = await start();
    const { order_id: resting } = await place(kite, sbinBuy({ price: 400, quantity: 10 })); // far below the market
    const rows = await kite.getOrders();
    expect(rows.find((o) => o.order_id === resting)?.status).toBe('OPEN');
    // The engine has seen the OPEN postback before it goes down.
    await eventually(async () => {
      await t.settle();
      return t.dataSource.getRepository(Order).findOneBy({ orderId: resting });
    }, 'the OPEN postback');
    await t.close();

    // Engine down, and no postback would reach it anyway.
    sim.setPostbackFaults({ dropAll: true });
    sim.fillOrder(resting, 3, 400);
    sim.fillOrder(resting, 7, 401);
    const { order_id: market } = await place(kite, sbinBuy({ order_type: 'MARKET', price: 0, quantity: 2 }));
    const { order_id: rejected } = await place(kite, sbinBuy({ quantity: 5000 }));
    const { order_id: cancelled } = await place(kite, sbinBuy({ price: 300, quantity: 4 }));
    await kite.cancelOrder('regular', cancelled);

    t = await start();
    await t.settle();
    const store = t.dataSource.getRepository(Order);
    for (const oms of await kite.getOrders()) {
      const mine = await store.findOneByOrFail({ orderId: oms.order_id });
      expect([mine.orderId, mine.status, mine.filledQuantity]).toEqual([oms.order_id, oms.status, oms.filled_quantity]);
    }
    const events = t.app.get(BootEventRecorder).events;
    const of = (id: string) => events.filter((e) => e.orderId === id).map((e) => e.name);
    // Missed fills come back one trade at a time, with their deltas and prices.
    expect(of(resting)).toEqual(['order.filled', 'order.filled', 'order.completed']);
    const fills = events.filter((e): e is OrderFilledEvent => e.name === 'order.filled' && e.orderId === resting);
    expect(fills.map((e) => [e.fill.quantity, e.fill.price])).toEqual([
      [3, 400],
      [7, 401],
    ]);
    // Never seen at all: the same events its COMPLETE postback alone would have produced (a fill, then completed).
    expect(of(market)).toEqual(['order.filled', 'order.completed']);
    expect(of(rejected)).toEqual(['order.rejected']);
    expect(of(cancelled)).toEqual(['order.cancelled']);
    expect(events.filter((e) => [market, rejected, cancelled].includes(e.orderId)).every((e) => e.source === 'reconcile')).toBe(true);

    // Already-known state produces nothing.
    const again = await request(t.app.getHttpServer()).post('/reconcile');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ trigger: 'demand', updatesQueued: 0 });
    await t.settle();
    expect(t.app.get(BootEventRecorder).events).toHaveLength(events.length);
    await t.close();
    sim.setPostbackFaults({ dropAll: false });
  }, 30_000);

  it('answers 503 on demand when Kite cannot be reached, and keeps running', async () => {
    const t = await start();
    await sim.stop();
    try {
      const res = await request(t.app.getHttpServer()).post('/reconcile');
      expect(res.status).toBe(503);
      expect(res.body.message).toMatch(/could not read Kite's order book/);
    } finally {
      await sim.start();
      await t.close();
    }
  }, 30_000);

  it('places the next leg of a chain whose entry completed while the engine was down, exactly once across restarts', async () => {
    const kite = kiteFor(sim);
    const strategies = { STRATEGIES: 'two-leg', DATABASE_PATH: join(tmp.dir, 'missed-leg.sqlite') };
    sim.setPostbackFaults({ dropAll: true }); // the engine is down: nothing reaches it
    const { order_id: entry } = await place(kite, sbinBuy({ order_type: 'MARKET', price: 0, quantity: 6, product: 'MIS', tag: 'twoleg' }));
    expect(sim.getOrder(entry)?.status).toBe('COMPLETE');
    const tag = legTag('two-leg', entry, 'exit');
    sim.setPostbackFaults({ dropAll: false });

    let t = await start(strategies);
    await eventually(() => omsOrdersTagged(sim, tag).length === 1, 'the missed exit leg placed after reconcile');
    await t.settle();
    const completed = t.app.get(BootEventRecorder).events.filter((e) => e.orderId === entry && e.name === 'order.completed');
    expect(completed.map((e) => e.source)).toEqual(['reconcile']);
    await t.close();

    // Start again: reconcile finds nothing new, and nothing is placed twice.
    t = await start(strategies);
    await t.settle();
    await sim.flushPostbacks();
    expect(t.app.get(BootEventRecorder).events.filter((e) => e.orderId === entry)).toEqual([]);
    expect(legPlacements(sim, tag)).toHaveLength(1);
    expect(omsOrdersTagged(sim, tag)).toHaveLength(1);
    await t.close();
  }, 30_000);
});
