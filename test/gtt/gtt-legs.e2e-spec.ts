import { Leg } from '../../src/broker/entities/leg.entity';
import { Gtt } from '../../src/gtt/entities/gtt.entity';
import { GttService } from '../../src/gtt/gtt.service';
import { KiteOrderStream } from '../../src/order-stream/kite-order-stream.service';
import { OrderEventRecord } from '../../src/orders/entities/order-event.entity';
import { OrderEventPublisher } from '../../src/orders/order-event.publisher';
import { ExternalOrder } from '../../src/rails/entities/external-order.entity';
import { KillSwitchService } from '../../src/rails/kill-switch.service';
import type { KiteSimulator } from '../../src/simulator';
import { TradeLogService } from '../../src/trade-log/trade-log.service';
import { engineEnv, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { recordAlerts } from '../helpers/legs';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';
import type { Alert } from '../../src/notifier/alert';

const INFY = { exchange: 'NSE', tradingsymbol: 'INFY' } as const;

/**
 * GTT protective legs end to end, with the shipped `oco-protect` strategy: the real kiteconnect client against the
 * simulator, whose GTT-fired orders carry no tag and send no postback (only the WebSocket order stream), as on Kite.
 * One engine per file: KiteTicker keeps its handlers in module-global state.
 */
describe('GTT protective legs (oco-protect against the simulator)', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;
  let alerts: Alert[];

  beforeAll(async () => {
    sim = await startSimulator({ startPrices: { INFY: 1550, SBIN: 470 } });
    t = await startEngine(
      sim,
      engineEnv(sim, tmp.dir, {
        STRATEGIES: 'oco-protect',
        KITE_WS_ORDER_UPDATES: 'true',
        KITE_WS_URL: sim.wsUrl,
        LEG_SETTLE_WINDOW_MS: '1500',
      }),
    );
    alerts = recordAlerts(t.app);
    await eventually(() => t.app.get(KiteOrderStream).connected, 'the order stream connected');
  });
  afterEach(async () => {
    sim.clearFaults();
    await t.app.get(GttService).deleteAll(); // each test starts with no live GTT that a price move could fire
    sim.setPrice('INFY', 1550);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    tmp.cleanup();
  });

  const gtts = () => t.dataSource.getRepository(Gtt);
  const gttPlacements = () => sim.requests.filter((r) => r.method === 'POST' && r.path === '/gtt/triggers');
  /** An entry tagged for oco-protect, filled at once at the market (1550), as a trader would place it in Kite. */
  const enter = async (quantity: number) =>
    (await place(kiteFor(sim), { ...sbinBuy(), ...INFY, order_type: 'MARKET', price: 0, quantity, tag: 'ocoprot' })).order_id;
  const gttOf = (entry: string) =>
    eventually(
      async () => {
        await sim.flushPostbacks();
        await t.settle();
        const row = await gtts().findOneBy({ parentOrderId: entry });
        return row && row.status !== 'placing' && row;
      },
      `the GTT of entry ${entry}`,
      10_000,
    );

  it('an entry that completes gets one OCO GTT at Kite (stop below, target above), and only one when its event comes again', async () => {
    const entry = await enter(10);
    const gtt = await gttOf(entry);
    expect(gtt).toMatchObject({ strategy: 'oco-protect', chainId: entry, name: 'protect', status: 'active', type: 'two-leg' });
    expect(sim.getGtt(gtt.triggerId!)).toMatchObject({
      status: 'active',
      condition: { exchange: 'NSE', tradingsymbol: 'INFY', trigger_values: [1519, 1612], last_price: 1550 },
      orders: [
        { transaction_type: 'SELL', quantity: 10, product: 'CNC', order_type: 'LIMIT', price: 1511.4 },
        { transaction_type: 'SELL', quantity: 10, product: 'CNC', order_type: 'LIMIT', price: 1612 },
      ],
    });

    // The entry's events delivered again (a crash between the handler and the outbox mark): nothing new goes to Kite.
    const before = gttPlacements().length;
    await t.dataSource.getRepository(OrderEventRecord).update({ orderId: entry }, { dispatchedAt: null });
    await t.app.get(OrderEventPublisher).publishPending();
    expect(gttPlacements()).toHaveLength(before);
    expect(sim.getGtts().filter((g) => g.status === 'active' && g.orders[0].quantity === 10)).toHaveLength(1);
    expect(await gtts().countBy({ parentOrderId: entry })).toBe(1);
  });

  it('links the order the GTT fires (no tag, no postback) to the entry’s chain, and its events reach the strategy as its own', async () => {
    const entry = await enter(7);
    const gtt = await gttOf(entry);
    sim.setPrice('INFY', 1613); // the target's trigger (1612) is reached: Kite places its SELL LIMIT

    const fired = sim.getGtt(gtt.triggerId!).orders[1].result!.order_result.order_id;
    expect(sim.getOrder(fired)).toMatchObject({ status: 'COMPLETE', tag: null });
    const leg = await eventually(() => t.dataSource.getRepository(Leg).findOneBy({ orderId: fired }), 'the fired order linked as a leg');
    expect(leg).toMatchObject({ strategy: 'oco-protect', chainId: entry, parentOrderId: entry, legName: 'protect:target', status: 'placed' });

    // The strategy's `own` handler saw the fired order complete.
    const notice = await eventually(() => alerts.find((a) => a.fields?.chain === entry), 'the strategy told of its target fill');
    expect(notice).toMatchObject({ title: 'oco-protect: target filled on INFY', fields: { leg: 'protect:target' } });
    // The chain in the trade log: entry, then the GTT's order, with its P&L; the order is not "external".
    const [chain] = await t.app.get(TradeLogService).chains({ chain: entry });
    expect(chain.timeline.map((step) => [step.legName, step.order?.orderId])).toEqual([
      ['entry', entry],
      ['protect:target', fired],
    ]);
    const exit = sim.getOrder(fired)!.average_price;
    expect(chain.pnl).toMatchObject({ openQuantity: 0, realised: Math.round((exit - 1550) * 7 * 1e6) / 1e6 });
    expect(await t.dataSource.getRepository(ExternalOrder).findOneBy({ orderId: fired })).toBeNull();
    await eventually(async () => (await gtts().findOneByOrFail({ id: gtt.id })).status === 'triggered', 'the GTT recorded as triggered');
  });

  it('an unclear answer to the placement (Kite made the GTT, then 503): found in Kite’s list by what it is, never placed twice', async () => {
    sim.setGttPlacementFault({ kind: 'error', status: 503, count: 1, createOrder: true });
    const before = gttPlacements().length;
    const entry = await enter(3);
    const gtt = await gttOf(entry);
    expect(gtt.status).toBe('active'); // settled by Kite's list (the early look), not sent again
    expect(gttPlacements()).toHaveLength(before + 1);
    expect(sim.getGtts().filter((g) => g.orders[0].quantity === 3)).toEqual([expect.objectContaining({ id: gtt.triggerId, status: 'active' })]);
  });

  it('an unclear answer for a GTT Kite did not make: sent again only after the list lacked it past the settle window', async () => {
    sim.setGttPlacementFault({ kind: 'error', status: 502, count: 1 });
    const before = gttPlacements().length;
    const entry = await enter(4);
    const unknown = await gttOf(entry);
    expect(unknown).toMatchObject({ status: 'unknown', triggerId: null, errorType: 'NetworkException' });
    expect(gttPlacements()).toHaveLength(before + 1); // the early look found nothing, and nothing was sent again

    const settled = await eventually(
      async () => {
        await t.app.get(GttService).sync();
        const row = await gtts().findOneByOrFail({ id: unknown.id });
        return row.status === 'active' && row;
      },
      'the GTT sent again after the settle window',
      10_000,
    );
    expect(settled.attempts).toBe(2);
    expect(gttPlacements()).toHaveLength(before + 2);
    expect(sim.getGtts().filter((g) => g.orders[0].quantity === 4)).toEqual([expect.objectContaining({ id: settled.triggerId })]);
  });

  it('records what Kite does to a GTT on its own (cancelled) and alerts: the position is no longer protected', async () => {
    const entry = await enter(5);
    const gtt = await gttOf(entry);
    sim.setGttStatus(gtt.triggerId!, 'cancelled');
    await t.app.get(GttService).sync();
    expect((await gtts().findOneByOrFail({ id: gtt.id })).status).toBe('cancelled');
    expect(alerts).toContainEqual(expect.objectContaining({ title: 'GTT cancelled at Kite: oco-protect/protect', severity: 'critical' }));
  });

  it('modifies a live GTT (new triggers at Kite) and deletes it', async () => {
    const entry = await enter(6);
    const gtt = await gttOf(entry);
    const service = t.app.get(GttService);
    const key = { strategy: 'oco-protect', parentOrderId: entry, name: 'protect' };
    const order = (price: number) => ({ transaction_type: 'SELL' as const, quantity: 6, product: 'CNC', price });
    await service.modify(key, { ...INFY, lastPrice: 1550, stop: { trigger: 1530, order: order(1525) }, target: { trigger: 1600, order: order(1600) } });
    expect(sim.getGtt(gtt.triggerId!).condition.trigger_values).toEqual([1530, 1600]);
    expect(await service.cancel(key)).toMatchObject({ status: 'deleted' });
    expect(sim.getGtt(gtt.triggerId!).status).toBe('deleted');
  });

  it('deletes the GTT when the position is closed another way (an exit placed by hand in Kite)', async () => {
    const entry = await enter(8);
    const gtt = await gttOf(entry);
    await place(kiteFor(sim), { ...sbinBuy(), ...INFY, transaction_type: 'SELL', order_type: 'MARKET', price: 0, quantity: 8 }); // untagged: external
    await eventually(async () => {
      await sim.flushPostbacks();
      await t.settle();
      return sim.getGtt(gtt.triggerId!).status === 'deleted';
    }, 'the GTT deleted at Kite');
    expect((await gtts().findOneByOrFail({ id: gtt.id })).status).toBe('deleted');
  });

  it('the kill switch: cancel-open deletes live GTTs; tripped, no new GTT is placed', async () => {
    const entry = await enter(9);
    const gtt = await gttOf(entry);
    const killSwitch = t.app.get(KillSwitchService);
    try {
      const result = await killSwitch.trip('test: flatten', 'test', { cancelOpen: true });
      expect(result.gttsDeleted).toContain(gtt.triggerId);
      expect(sim.getGtt(gtt.triggerId!).status).toBe('deleted');
      expect((await gtts().findOneByOrFail({ id: gtt.id })).status).toBe('deleted');

      const before = gttPlacements().length;
      const refused = await gttOf(await enter(11));
      expect(refused).toMatchObject({ status: 'failed', errorType: 'KillSwitch' });
      expect(gttPlacements()).toHaveLength(before);
    } finally {
      await killSwitch.rearm('test');
    }
  });
});
