import request from 'supertest';
import { IsNull } from 'typeorm';
import { HOT_PATH_STORE, HotPathStore } from '../../src/database/hot-path/hot-path.store';
import { InboxService } from '../../src/inbox/inbox.service';
import { OrderEventRecord } from '../../src/orders/entities/order-event.entity';
import { OrderEventPublisher } from '../../src/orders/order-event.publisher';
import { ExternalOrder } from '../../src/rails/entities/external-order.entity';
import { eventually } from '../helpers/eventually';
import { orderUpdate } from '../helpers/postbacks';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';

/**
 * First sights of external orders (a busy morning of manual orders, or a reconcile of them) are recorded in batches,
 * and an order event is not marked dispatched before its order's external row is committed: a crash in between means
 * the event is delivered again at the next start, and the order recorded then. Real engine, real SQLite file.
 */
describe('external orders: recorded in batches, their events held until recorded', () => {
  const tmp = tempDir();
  let t: TestApp;
  let store: HotPathStore;
  let writes: Array<readonly string[]>;
  /** While set, the store's external-orders writes wait for it (the real write runs after). */
  let gate: Promise<void> | null = null;

  beforeAll(async () => {
    t = await createTestApp(testEnv(tmp.dir, { RECONCILE_ON_BOOT: 'false' }));
    store = t.app.get(HOT_PATH_STORE);
    const record = store.recordExternalOrders.bind(store);
    writes = [];
    jest.spyOn(store, 'recordExternalOrders').mockImplementation(async (rows) => {
      writes.push(rows.map((r) => r.orderId));
      if (gate) await gate;
      return record(rows);
    });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
    tmp.cleanup();
  });

  const post = (orderId: string) =>
    request(t.app.getHttpServer())
      .post('/kite/postback')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(JSON.stringify(orderUpdate(orderId, 'OPEN', 0, 10, 0, '2026-11-25 09:15:01', { tag: null })));

  it('the first sights in a batch of updates share one write, not one per order', async () => {
    writes.length = 0;
    const ids = Array.from({ length: 24 }, (_, i) => `26112500000${String(1000 + i)}`);
    // Arriving together (as under load, or from a reconcile): one unit of work in the inbox, one batch of events.
    const inbox = t.app.get(InboxService);
    const bodies = ids.map((id) => orderUpdate(id, 'OPEN', 0, 10, 0, '2026-11-25 09:15:01', { tag: null }));
    const accepted = await Promise.all(bodies.map((body) => inbox.accept(JSON.stringify(body), body, 'postback')));
    expect(accepted.map((a) => a.duplicate)).toEqual(ids.map(() => false));
    await t.settle();

    const recorded = await t.dataSource.getRepository(ExternalOrder).find();
    expect(recorded.map((r) => r.orderId).sort()).toEqual(ids);
    expect(writes.flat().sort()).toEqual(ids);
    expect(writes.length).toBeLessThanOrEqual(2);
  });

  it("an event stays unmarked while its order's external row is not yet committed", async () => {
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    const orderId = '2611250000009999';
    expect((await post(orderId)).status).toBe(200);
    // Delivered and everything deliverable marked (settle() itself would wait for the write).
    const publisher = t.app.get(OrderEventPublisher);
    await t.app.get(InboxService).whenFlushed();
    await publisher.idle();
    await new Promise((resolve) => setImmediate(resolve));
    await publisher.flushMarks();

    const events = t.dataSource.getRepository(OrderEventRecord);
    const unmarked = () => events.findOneBy({ orderId, dispatchedAt: IsNull() });
    expect(await unmarked()).not.toBeNull(); // delivered, but its external row is not written: not dispatched
    expect(await t.dataSource.getRepository(ExternalOrder).findOneBy({ orderId })).toBeNull();

    gate = null;
    open();
    await eventually(async () => (await t.dataSource.getRepository(ExternalOrder).findOneBy({ orderId })) !== null, 'external row written');
    await eventually(async () => {
      await t.settle();
      return (await unmarked()) === null;
    }, 'event marked dispatched after the row');
  });
});
