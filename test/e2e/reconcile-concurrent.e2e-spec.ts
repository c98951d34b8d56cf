import { legTag } from '../../src/broker/leg-tag';
import { Leg } from '../../src/broker/entities/leg.entity';
import { AnyOrderEvent, OrderEventName } from '../../src/events';
import { Fill } from '../../src/orders/entities/fill.entity';
import { OrderEventRecord } from '../../src/orders/entities/order-event.entity';
import { Order } from '../../src/orders/entities/order.entity';
import { ReconcileService } from '../../src/reconcile/reconcile.service';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, legPlacements, omsOrdersTagged, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { recordOrderEvents } from '../helpers/event-recorder';
import { eventually } from '../helpers/eventually';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

/**
 * Reconciliation racing live postbacks: while Kite's postbacks arrive (twice each, out of order, some lost), the book
 * is reconciled again and again. Both routes feed the same inbox, so the end state must be exactly the OMS's, every
 * transition must have been published once, and no leg may be placed twice.
 */
describe('reconcile running while live postbacks arrive', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;
  let events: AnyOrderEvent[];

  beforeAll(async () => {
    // Kite's timestamps have one-second resolution: here every update carries the same second, so nothing can be
    // ordered by its clock (the hardest case, and no luck involved).
    const second = new Date();
    sim = await startSimulator({ postbackOnOpen: true, seed: 11, now: () => second });
    t = await startEngine(sim, engineEnv(sim, tmp.dir, { STRATEGIES: 'two-leg', TWO_LEG_TARGET_POINTS: '5', RECONCILE_ON_BOOT: 'false' }));
    events = recordOrderEvents(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    tmp.cleanup();
  });

  it('ends equal to the OMS, with each event published once and each leg placed once', async () => {
    const kite = kiteFor(sim);
    const reconcile = t.app.get(ReconcileService);
    sim.setPostbackFaults({ duplicate: true, reorderWindow: 3, reorderMaxHoldMs: 50, dropProbability: 0.25 });

    // Reconcile back to back for as long as the market moves.
    let trading = true;
    let reconciliations = 0;
    const reconciling = (async () => {
      while (trading) {
        await reconcile.reconcile('demand');
        reconciliations++;
        await t.settle();
      }
    })();

    const entries: string[] = [];
    for (let i = 0; i < 6; i++) {
      entries.push((await place(kite, sbinBuy({ order_type: 'MARKET', price: 0, quantity: 5 + i, product: 'MIS', tag: 'twoleg' }))).order_id);
    }
    // Resting entries that fill in steps while reconciliation runs.
    const resting: string[] = [];
    for (let i = 0; i < 3; i++) resting.push((await place(kite, sbinBuy({ price: 400, quantity: 10, product: 'MIS', tag: 'twoleg' }))).order_id);
    for (const id of resting) sim.fillOrder(id, 3, 400);
    for (const id of resting) sim.fillOrder(id, 4, 400.5);
    for (const id of resting) sim.fillOrder(id, 3, 401);
    entries.push(...resting);
    // An order nobody tagged, cancelled after a partial fill.
    const { order_id: other } = await place(kite, sbinBuy({ price: 390, quantity: 8 }));
    sim.fillOrder(other, 2, 390);
    await kite.cancelOrder('regular', other);

    // Every completed entry gets its exit leg (the two-leg strategy), while reconciliation keeps running.
    await eventually(async () => (await t.dataSource.getRepository(Leg).countBy({ status: 'placed' })) === entries.length, 'an exit leg per entry', 20_000);
    trading = false;
    await reconciling;
    expect(reconciliations).toBeGreaterThan(1);

    // Let every postback still on its way land, then one last reconciliation for what was dropped.
    sim.clearFaults();
    await sim.flushPostbacks();
    await reconcile.reconcile('demand');
    await t.settle();

    // 1. The store is the OMS.
    const oms = sim.getOrders();
    const stored = new Map((await t.dataSource.getRepository(Order).find()).map((o) => [o.orderId, o]));
    expect(stored.size).toBe(oms.length);
    for (const row of oms) {
      expect({ id: row.order_id, ...pick(stored.get(row.order_id)) }).toEqual({
        id: row.order_id,
        status: row.status,
        filledQuantity: row.filled_quantity,
        averagePrice: row.average_price,
        quantity: row.quantity,
        price: row.price,
        tag: row.tag,
      });
    }

    // 2. Each transition once: published once and stored once.
    const stored_events = await t.dataSource.getRepository(OrderEventRecord).find({ order: { id: 'ASC' } });
    const published = events.filter((e) => stored.has(e.orderId));
    expect(published.map((e) => e.eventId).sort((a, b) => a - b)).toEqual(stored_events.map((e) => e.id));
    for (const row of oms) {
      const of = published.filter((e) => e.orderId === row.order_id);
      const fills = of.flatMap((e) => (e.name === OrderEventName.Filled ? [e.fill] : []));
      expect(fills.map((f) => f.cumulativeQuantity)).toEqual([...new Set(fills.map((f) => f.cumulativeQuantity))].sort((a, b) => a - b));
      expect(fills.reduce((sum, f) => sum + f.quantity, 0)).toBe(row.filled_quantity);
      const count = (name: OrderEventName) => of.filter((e) => e.name === name).length;
      expect({
        order: row.order_id,
        completed: count(OrderEventName.Completed),
        cancelled: count(OrderEventName.Cancelled),
        rejected: count(OrderEventName.Rejected),
        opened: Math.min(count(OrderEventName.Opened), 2),
      }).toEqual({
        order: row.order_id,
        completed: row.status === 'COMPLETE' ? 1 : 0,
        cancelled: row.status === 'CANCELLED' ? 1 : 0,
        rejected: row.status === 'REJECTED' ? 1 : 0,
        opened: Math.min(count(OrderEventName.Opened), 1), // at most once (an order first seen COMPLETE has none)
      });
      // No transition twice: every event of an order leaves it in a state no other event of it did.
      const states = of.map((e) => `${e.name} ${e.order.status} ${e.order.filledQuantity} ${e.order.quantity} ${e.order.price} ${e.order.triggerPrice}`);
      expect(states).toEqual([...new Set(states)]);
      // The fills in the trade log add up to the OMS's quantity and value.
      const rows = await t.dataSource.getRepository(Fill).findBy({ orderId: row.order_id });
      expect(rows.reduce((sum, f) => sum + f.quantity, 0)).toBe(row.filled_quantity);
      expect(Math.round(rows.reduce((sum, f) => sum + f.quantity * f.price!, 0) * 100)).toBe(Math.round(row.filled_quantity * row.average_price * 100));
    }

    // 3. No leg twice: one exit per entry, one placement and one OMS order per leg tag.
    for (const entry of entries) {
      const tag = legTag('two-leg', entry, 'exit');
      expect({
        entry,
        legs: await t.dataSource.getRepository(Leg).countBy({ parentOrderId: entry }),
        placements: legPlacements(sim, tag).length,
        oms: omsOrdersTagged(sim, tag).length,
      }).toEqual({
        entry,
        legs: 1,
        placements: 1,
        oms: 1,
      });
    }
    expect(legPlacements(sim)).toHaveLength(entries.length);
  }, 60_000);

  it("a reconciliation whose read of Kite's book is overtaken by live postbacks takes nothing back", async () => {
    const kite = kiteFor(sim);
    const reconcile = t.app.get(ReconcileService);
    sim.clearFaults();
    const { order_id: id } = await place(kite, sbinBuy({ price: 400, quantity: 10, product: 'MIS', tag: 'twoleg' }));
    await sim.flushPostbacks();
    await eventually(async () => {
      await t.settle();
      return (await t.dataSource.getRepository(Order).findOneBy({ orderId: id }))?.status === 'OPEN';
    }, 'the resting order in the store');
    // A fill whose postback is lost: only a reconciliation can tell the store.
    sim.setPostbackFaults({ dropNext: 1 });
    sim.fillOrder(id, 3, 400);
    await sim.flushPostbacks();
    sim.clearFaults();

    // Reconcile reads the book now (filled 3 at price 400) ...
    sim.clearRequests();
    const gate = sim.holdBookReads();
    const running = reconcile.reconcile('demand');
    await eventually(() => sim.requests.some((r) => r.method === 'GET' && r.path === '/orders'), 'the read of the book');
    // ... and while its answer is on the way, the order is modified (within the same second, as Kite's clock goes);
    // the modification's postback also reports the fill that was lost.
    await kite.modifyOrder('regular', id, { price: 401 });
    await sim.flushPostbacks();
    await t.settle();
    expect(await t.dataSource.getRepository(Order).findOneByOrFail({ orderId: id })).toMatchObject({ status: 'OPEN', filledQuantity: 3, price: 401 });
    const eventsBefore = events.filter((e) => e.orderId === id).length;

    gate.release();
    await running;
    await t.settle();
    // The stale snapshot (filled 3 at price 400) changed nothing and published nothing.
    expect(await t.dataSource.getRepository(Order).findOneByOrFail({ orderId: id })).toMatchObject({ status: 'OPEN', filledQuantity: 3, price: 401 });
    expect(
      events
        .filter((e) => e.orderId === id)
        .slice(eventsBefore)
        .map((e) => [e.name, e.order.price]),
    ).toEqual([]);

    // The rest of the day: the order completes, the exit leg goes out once, and the store is the OMS.
    sim.fillOrder(id, 7, 401);
    await sim.flushPostbacks();
    await reconcile.reconcile('demand');
    const tag = legTag('two-leg', id, 'exit');
    await eventually(() => legPlacements(sim, tag).length === 1, 'the exit leg');
    await t.settle();
    const row = sim.getOrder(id)!;
    expect(pick(await t.dataSource.getRepository(Order).findOneBy({ orderId: id }))).toEqual({
      status: 'COMPLETE',
      filledQuantity: 10,
      averagePrice: row.average_price,
      quantity: 10,
      price: 401,
      tag: 'twoleg',
    });
    expect(events.filter((e) => e.orderId === id).map((e) => [e.name, e.order.filledQuantity, e.order.price])).toEqual([
      [OrderEventName.Opened, 0, 400],
      [OrderEventName.Filled, 3, 401], // the modification's postback, carrying the lost fill
      [OrderEventName.Filled, 10, 401],
      [OrderEventName.Completed, 10, 401],
    ]);
    expect(legPlacements(sim, tag)).toHaveLength(1);
  }, 30_000);
});

function pick(order: Order | null | undefined) {
  if (!order) return { missing: true };
  const { status, filledQuantity, averagePrice, quantity, price, tag } = order;
  return { status, filledQuantity, averagePrice, quantity, price, tag };
}
