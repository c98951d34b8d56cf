import request from 'supertest';
import { reconcileNow } from '../../src/cli/reconcile.cli';
import { Fill } from '../../src/orders/entities/fill.entity';
import { Order } from '../../src/orders/entities/order.entity';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { recordOrderEvents } from '../helpers/event-recorder';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

/**
 * Every postback fault switch of the simulator, against the whole engine: whatever the delivery did, the store ends
 * level with the OMS (status and filled quantity per order), fills sum to the OMS's filled quantity, and no
 * transition is published twice.
 */
describe('postback faults against the engine: the store ends level with the OMS', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;
  let events: ReturnType<typeof recordOrderEvents>;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 3, postbackOnOpen: true, partialFillSteps: 3 });
    t = await startEngine(sim, engineEnv(sim, tmp.dir));
    events = recordOrderEvents(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    tmp.cleanup();
  });
  afterEach(() => sim.clearFaults());

  async function expectLevelWithOms(orderIds: string[]): Promise<void> {
    await sim.flushPostbacks();
    await t.settle();
    for (const id of orderIds) {
      const oms = sim.getOrder(id)!;
      const mine = await t.dataSource.getRepository(Order).findOneByOrFail({ orderId: id });
      expect([id, mine.status, mine.filledQuantity]).toEqual([id, oms.status, oms.filled_quantity]);
      const fills = await t.dataSource.getRepository(Fill).findBy({ orderId: id });
      expect(fills.reduce((sum, f) => sum + f.quantity, 0)).toBe(oms.filled_quantity);
      // No transition published twice: (type, filled quantity) is unique per order.
      const mineEvents = events.filter((e) => e.orderId === id).map((e) => `${e.name}@${e.order.filledQuantity}`);
      expect(new Set(mineEvents).size).toBe(mineEvents.length);
    }
  }

  /** A marketable order that fills in the simulator's three partial steps, plus a resting one and a rejection. */
  async function someOrders(): Promise<string[]> {
    const kite = kiteFor(sim);
    const ids: string[] = [];
    ids.push((await place(kite, sbinBuy({ order_type: 'MARKET', price: 0, quantity: 9 }))).order_id);
    ids.push((await place(kite, sbinBuy({ price: 300, quantity: 4 }))).order_id);
    ids.push((await place(kite, sbinBuy({ quantity: 5000 }))).order_id);
    sim.tick(3);
    return ids;
  }

  it('duplicate: every postback twice', async () => {
    sim.setPostbackFaults({ duplicate: true });
    await expectLevelWithOms(await someOrders());
  });

  it('delay: postbacks held back', async () => {
    sim.setPostbackFaults({ delayMs: 150 });
    await expectLevelWithOms(await someOrders());
  });

  it('reorder: windows of postbacks sent newest first (COMPLETE before its partial fills)', async () => {
    sim.setPostbackFaults({ reorderWindow: 4, reorderMaxHoldMs: 200 });
    const ids = await someOrders();
    await expectLevelWithOms(ids);
    // Never moved backwards: the filled order's last published state is its final one.
    const last = events.filter((e) => e.orderId === ids[0]).at(-1)!;
    expect([last.name, last.order.filledQuantity]).toEqual(['order.completed', 9]);
  });

  it('drop: the next postbacks lost, then recovered by reconcile on demand', async () => {
    sim.setPostbackFaults({ dropNext: 4 });
    const ids = await someOrders();
    await sim.flushPostbacks();
    const res = await request(t.app.getHttpServer()).post('/reconcile');
    expect(res.status).toBe(200);
    expect(res.body.updatesQueued).toBeGreaterThan(0);
    await expectLevelWithOms(ids);
  });

  it('drop by seeded probability over many orders, then reconcile', async () => {
    sim.setPostbackFaults({ dropProbability: 0.5 });
    const ids = [...(await someOrders()), ...(await someOrders()), ...(await someOrders())];
    await sim.flushPostbacks();
    expect(sim.postbackStats.dropped).toBeGreaterThan(0);
    expect((await request(t.app.getHttpServer()).post('/reconcile')).status).toBe(200);
    await expectLevelWithOms(ids);
  });

  it('npm run reconcile: asks the running engine to reconcile and waits until the recovered updates are processed', async () => {
    sim.setPostbackFaults({ dropAll: true });
    const ids = await someOrders();
    await sim.flushPostbacks();
    const lines: string[] = [];
    const url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    const summary = await reconcileNow({ url, timeoutSeconds: 20, print: (l) => lines.push(l) });
    expect(summary.updatesQueued).toBeGreaterThan(0);
    expect(lines[0]).toMatch(new RegExp(`${summary.updatesQueued} update\\(s\\) the store lacked`));
    expect(lines.at(-1)).toMatch(/^done: the store is level with Kite/);
    await expectLevelWithOms(ids);
  });
});
