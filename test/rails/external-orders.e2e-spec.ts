import { join, resolve } from 'node:path';
import request from 'supertest';
import { Order } from '../../src/orders/entities/order.entity';
import { ExternalOrder } from '../../src/rails/entities/external-order.entity';
import type { KiteSimulator } from '../../src/simulator';
import { ExternalWatcher, OwnOnlyWatcher } from '../fixtures/strategies-rails/order-watchers.strategy';
import { engineEnv, legPlacements, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

describe('orders nobody placed through legwork', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;
  beforeAll(async () => {
    sim = await startSimulator();
    t = await startEngine(
      sim,
      engineEnv(sim, tmp.dir, {
        STRATEGIES_DIR: resolve(__dirname, '..', 'fixtures', 'strategies-rails'),
        STRATEGIES: 'own-only,external-watcher',
        DATABASE_PATH: join(tmp.dir, 'external.sqlite'),
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    tmp.cleanup();
  });

  const completed = (id: string) =>
    eventually(async () => {
      await t.settle();
      return (await t.dataSource.getRepository(Order).findOneBy({ orderId: id }))?.status === 'COMPLETE';
    }, `order ${id} stored`);
  const market = (tag?: string) =>
    place(kiteFor(sim), sbinBuy({ order_type: 'MARKET', price: 0, quantity: 2, market_protection: -1, ...(tag ? { tag } : {}) })).then((r) => r.order_id);

  it('are tracked as external, shown outside any chain, and trigger no strategy that did not opt in', async () => {
    sim.clearRequests();
    const manual = await market(); // placed by hand in Kite: no tag
    const otherTool = await market('amibroker'); // another tool's tag, which no strategy asks for
    const claimed = await market('watched'); // a tag a running strategy asks for: legwork's, not external
    for (const id of [manual, otherTool, claimed]) await completed(id);

    // Marked external in the store (and listed by the rails endpoint); the claimed order is not.
    const rows = await t.dataSource.getRepository(ExternalOrder).find();
    expect(rows.map((r) => r.orderId).sort()).toEqual([manual, otherTool].sort());
    expect(rows.find((r) => r.orderId === otherTool)).toMatchObject({
      tag: 'amibroker',
      tradingsymbol: 'SBIN',
      transactionType: 'BUY',
      firstSource: 'postback',
    });
    const listed = await request(t.app.getHttpServer()).get('/rails/external-orders');
    expect(listed.status).toBe(200);
    expect(listed.body.orders.map((o: { orderId: string }) => o.orderId).sort()).toEqual([manual, otherTool].sort());
    // The trade log keeps them outside any chain.
    for (const id of [manual, otherTool]) {
      const row = (await request(t.app.getHttpServer()).get(`/api/trade-log/orders/${id}`)).body.order;
      expect(row).toMatchObject({ orderId: id, chainId: null, strategy: null, status: 'COMPLETE' });
    }

    // A strategy subscribed to every event without opting in saw only the order tagged for it…
    expect(t.app.get(OwnOnlyWatcher).seen).toEqual([`tagged:${claimed}`]);
    // …while one that opted in (external: true: every order) saw the external ones too. No strategy placed anything.
    expect(t.app.get(ExternalWatcher).seen).toEqual(expect.arrayContaining([`order.completed:${manual}`, `order.completed:${otherTool}`]));
    expect(legPlacements(sim)).toHaveLength(0);
  });

  it('are found by reconciliation too, when their postbacks never arrived', async () => {
    sim.setPostbackFaults({ dropAll: true });
    const unseen = await market();
    await sim.flushPostbacks();
    sim.setPostbackFaults({ dropAll: false });
    expect(await t.dataSource.getRepository(Order).findOneBy({ orderId: unseen })).toBeNull();
    expect((await request(t.app.getHttpServer()).post('/reconcile')).status).toBe(200);
    await completed(unseen);
    await eventually(async () => t.dataSource.getRepository(ExternalOrder).findOneBy({ orderId: unseen }), 'the external row');
    expect(await t.dataSource.getRepository(ExternalOrder).findOneByOrFail({ orderId: unseen })).toMatchObject({ firstSource: 'reconcile', tag: null });
    expect(t.app.get(OwnOnlyWatcher).seen.some((s) => s.endsWith(unseen))).toBe(false);
  });
});
