import { EventEmitter2 } from '@nestjs/event-emitter';
import { KiteSessionService } from '../../src/kite-session/kite-session.service';
import { InboxEntry } from '../../src/inbox/inbox-entry.entity';
import { Fill } from '../../src/orders/entities/fill.entity';
import { Order } from '../../src/orders/entities/order.entity';
import { KiteOrderStream, ORDER_STREAM_RECONNECTED } from '../../src/order-stream/kite-order-stream.service';
import { KiteSimulator } from '../../src/simulator';
import { recordOrderEvents } from '../helpers/event-recorder';
import { loginThroughEngine } from '../helpers/kite-login';
import { SAMPLE_API_SECRET } from '../helpers/postbacks';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

/** Poll until `check` passes (the stream is asynchronous by nature); fails with the last error after `ms`. */
async function eventually(check: () => Promise<void> | void, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

// One engine per file: KiteTicker keeps its handlers in module-global state.
describe('WebSocket order updates (KiteTicker against the simulator)', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;
  let events: ReturnType<typeof recordOrderEvents>;

  beforeAll(async () => {
    sim = await new KiteSimulator({ apiSecret: SAMPLE_API_SECRET, startPrices: { SBIN: 470 }, log: () => undefined }).start();
    t = await createTestApp(
      testEnv(tmp.dir, {
        KITE_ROOT_URL: sim.url,
        KITE_API_KEY: sim.options.apiKey,
        KITE_ACCESS_TOKEN: sim.options.accessToken,
        KITE_WS_URL: sim.wsUrl,
        KITE_WS_ORDER_UPDATES: 'true',
        KITE_LOGIN_URL: `${sim.url}/connect/login`,
      }),
      { listen: true },
    );
    events = recordOrderEvents(t.app);
    sim.setPostbackUrl(`${(await t.app.getUrl()).replace('[::1]', '127.0.0.1')}/kite/postback`);
    await eventually(() => expect(t.app.get(KiteOrderStream).connected).toBe(true));
  });
  afterAll(async () => {
    await t.close();
    await sim.stop();
    tmp.cleanup();
  });

  it('keeps the engine right from the stream alone when every postback is lost', async () => {
    sim.setPostbackFaults({ dropAll: true });
    const kite = kiteFor(sim);
    const { order_id } = await place(kite, sbinBuy({ order_type: 'MARKET', price: 0, quantity: 3 }));
    await eventually(async () => {
      await t.settle();
      const order = await t.dataSource.getRepository(Order).findOneByOrFail({ orderId: order_id });
      expect(order).toMatchObject({ status: 'COMPLETE', filledQuantity: 3 });
    });
    expect(sim.postbackStats.sent).toBe(0);
    const entries = await t.dataSource.getRepository(InboxEntry).findBy({ orderId: order_id });
    expect(entries.every((e) => e.source === 'websocket')).toBe(true);
    sim.setPostbackFaults({ dropAll: false });
  });

  it('processes an update that arrives by both postback and WebSocket once; each route alone carries the rest', async () => {
    const stream = t.app.get(KiteOrderStream);
    // A BUY under the market rests OPEN (no postback for OPEN); its fills are made by hand, one update each.
    const { order_id } = await place(kiteFor(sim), sbinBuy({ price: 300, quantity: 3 }));
    const arrivals = () => ({ postbacks: sim.postbackStats.sent, stream: stream.received });

    // Update 1 on both routes: each reached the engine (the postback was answered 2xx, the stream frame was received).
    let before = arrivals();
    sim.fillOrder(order_id, 1, 300);
    await eventually(() => expect(arrivals()).toEqual({ postbacks: before.postbacks + 1, stream: before.stream + 1 }));
    // Update 2 with its postback withheld: only the stream can bring it.
    before = arrivals();
    sim.setPostbackFaults({ dropAll: true });
    sim.fillOrder(order_id, 1, 300);
    sim.setPostbackFaults({ dropAll: false });
    await eventually(() => expect(arrivals()).toEqual({ postbacks: before.postbacks, stream: before.stream + 1 }));
    // Update 3 with the stream withheld: only the postback can bring it.
    before = arrivals();
    sim.orderStream.muted = true;
    try {
      sim.fillOrder(order_id, 1, 300);
      await sim.flushPostbacks();
      expect(arrivals()).toEqual({ postbacks: before.postbacks + 1, stream: before.stream });
    } finally {
      sim.orderStream.muted = false;
    }

    await eventually(async () => {
      await t.settle();
      expect(events.filter((e) => e.orderId === order_id).map((e) => e.name)).toEqual([
        'order.opened',
        'order.filled',
        'order.filled',
        'order.filled',
        'order.completed',
      ]);
    });
    const entries = await t.dataSource.getRepository(InboxEntry).find({ where: { orderId: order_id }, order: { id: 'ASC' } });
    // One entry per distinct state: update 1 is stored once, whichever route came first.
    expect(entries).toHaveLength(3);
    expect(entries.slice(1).map((e) => e.source)).toEqual(['websocket', 'postback']);
    expect(await t.dataSource.getRepository(Fill).countBy({ orderId: order_id })).toBe(3);
    expect(await t.dataSource.getRepository(Order).findOneByOrFail({ orderId: order_id })).toMatchObject({ status: 'COMPLETE', filledQuantity: 3 });
  });

  it('reconnects after a drop and announces it (so reconcile can run)', async () => {
    const reconnected = new Promise<void>((resolve) => t.app.get(EventEmitter2).once(ORDER_STREAM_RECONNECTED, () => resolve()));
    sim.orderStream.disconnectAll();
    await reconnected;
    expect(t.app.get(KiteOrderStream).connected).toBe(true);
  }, 20_000);

  it("reconnects with the new token after the day's login, and keeps delivering when the old token is revoked", async () => {
    const reconnected = new Promise<void>((resolve) => t.app.get(EventEmitter2).once(ORDER_STREAM_RECONNECTED, () => resolve()));
    // The daily login through the engine's own callback (request_token from the simulator's login page).
    const done = await loginThroughEngine(t);
    expect(done.status).toBe(200);
    await reconnected;
    sim.revokeAccessTokens(sim.options.accessToken); // yesterday's token stops working at 06:00
    try {
      sim.setPostbackFaults({ dropAll: true });
      const fresh = t.app.get(KiteSessionService).accessToken!;
      expect(fresh).not.toBe(sim.options.accessToken);
      const { order_id } = await place(kiteFor(sim, { access_token: fresh }), sbinBuy({ order_type: 'MARKET', price: 0, quantity: 2 }));
      await eventually(async () => {
        await t.settle();
        expect((await t.dataSource.getRepository(Order).findOneByOrFail({ orderId: order_id })).status).toBe('COMPLETE');
      });
    } finally {
      sim.setPostbackFaults({ dropAll: false });
      sim.grantAccessToken(sim.options.accessToken);
    }
  }, 20_000);
});
