import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Counter } from 'prom-client';
import { createTestDatabase, describePostgres, TestDatabase } from '../../../test/helpers/postgres';
import { orderUpdate } from '../../../test/helpers/postbacks';
import { InboxEntry } from '../../inbox/inbox-entry.entity';
import { InboxService } from '../../inbox/inbox.service';
import { DeliveryHolds } from '../../orders/delivery-holds';
import { Fill } from '../../orders/entities/fill.entity';
import { OrderEventRecord } from '../../orders/entities/order-event.entity';
import { Order } from '../../orders/entities/order.entity';
import { OrderEventPublisher } from '../../orders/order-event.publisher';
import { OrderStateService } from '../../orders/order-state.service';
import { hotPathStore } from '../database.module';
import { openDataSource } from '../postgres/migrate-locked';
import { postgresDataSourceOptions } from '../postgres/postgres-data-source.options';
import { WriteTransactions } from '../write-transactions';
import { ConcurrentUpdateError, HotPathStore } from './hot-path.store';
import { ENTITIES } from '../../entities';

const counter = (name: string) => new Counter({ name, help: name, labelNames: ['outcome', 'type'], registers: [] });

/** One engine's intake on the shared database: its own pool, write queue, store and inbox. */
async function instance(url: string) {
  const dataSource = await openDataSource(postgresDataSourceOptions(url, ENTITIES));
  const writes = new WriteTransactions(dataSource);
  const store = hotPathStore(dataSource, writes);
  const bus = new EventEmitter2();
  const publisher = new OrderEventPublisher(store, bus, new DeliveryHolds(), counter('published'));
  const inbox = new InboxService(store, new OrderStateService(), publisher, counter('processed'));
  return {
    dataSource,
    store,
    inbox,
    close: async () => {
      await inbox.whenFlushed();
      await writes.onApplicationShutdown();
      await dataSource.destroy();
    },
  };
}

describePostgres('two instances on one PostgreSQL database (real server)', () => {
  let db: TestDatabase;
  let a: Awaited<ReturnType<typeof instance>>;
  let b: Awaited<ReturnType<typeof instance>>;
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['error', 'warn', 'log']));
  beforeEach(async () => {
    db = await createTestDatabase();
    // Started together: the migrations run once, under the advisory lock.
    [a, b] = await Promise.all([instance(db.url), instance(db.url)]);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await db.drop();
  });

  const body = (n: number, status = 'OPEN', filled = 0) =>
    orderUpdate(String(8000000000000000000n + BigInt(n)), status, filled, 10, filled ? 100 : 0, `2026-11-25 09:15:${String(filled).padStart(2, '0')}`);
  const accept = (via: typeof a, n: number, status?: string, filled?: number) => {
    const payload = body(n, status, filled);
    return via.inbox.accept(JSON.stringify(payload), payload, 'postback');
  };

  it('stores the same update posted to both instances at once exactly once; exactly one of them calls it new', async () => {
    const updates = Array.from({ length: 40 }, (_, i) => i);
    const results = await Promise.all(updates.flatMap((n) => [accept(a, n), accept(b, n)]));
    for (let i = 0; i < updates.length; i++) expect([results[2 * i].duplicate, results[2 * i + 1].duplicate].sort()).toEqual([false, true]);
    expect(await a.dataSource.getRepository(InboxEntry).count()).toBe(40);
  });

  it('applying on arrival on both: one order row, one event and one fill per update, whichever instance applied it', async () => {
    a.inbox.applyOnArrival(() => undefined);
    b.inbox.applyOnArrival(() => undefined);
    const sent: Array<Promise<unknown>> = [];
    for (let n = 0; n < 20; n++) sent.push(accept(a, n, 'OPEN', 0), accept(b, n, 'OPEN', 0));
    await Promise.all(sent);
    await Promise.all([accept(a, 0, 'COMPLETE', 10), accept(b, 0, 'COMPLETE', 10)]);
    // Entries a lost race left pending are the processor's; drain them here as the leader's processor would.
    for (let ids = await a.store.pendingIds(100); ids.length > 0; ids = await a.store.pendingIds(100)) {
      await a.store
        .applyPending(ids, (entries, orders) => new OrderStateService().decide(entries, orders))
        .catch((e) => {
          if (!(e instanceof ConcurrentUpdateError)) throw e;
        });
    }
    const repo = a.dataSource.getRepository.bind(a.dataSource);
    expect(await repo(InboxEntry).count()).toBe(21);
    expect(await repo(Order).count()).toBe(20);
    expect(await repo(Order).findOneByOrFail({ orderId: body(0).order_id })).toMatchObject({ status: 'COMPLETE', filledQuantity: 10 });
    expect(await repo(Fill).find({ where: { orderId: body(0).order_id } })).toEqual([expect.objectContaining({ quantity: 10, cumulativeQuantity: 10 })]);
    const events = await repo(OrderEventRecord).find({ where: { orderId: body(0).order_id }, order: { id: 'ASC' } });
    expect(events.map((e) => e.type)).toEqual(['order.opened', 'order.filled', 'order.completed']);
  });

  it('external orders recorded by calls that overlap share writes, and each order is new exactly once (first caller, first row)', async () => {
    const row = (orderId: string) => ({
      orderId,
      tag: null,
      tradingsymbol: 'SBIN',
      transactionType: 'BUY',
      firstSource: 'postback' as const,
      tradingDay: '2026-11-25',
    });
    const results = await Promise.all([
      a.store.recordExternalOrders([row('1'), row('2')]),
      a.store.recordExternalOrders([row('2'), row('3'), row('3')]),
      b.store.recordExternalOrders([row('5'), row('4')]),
    ]);
    expect(results).toEqual([
      [true, true],
      [false, true, false],
      [true, true],
    ]);
    // Recorded by the other instance: not new here.
    expect(await a.store.recordExternalOrders([row('4'), row('6')])).toEqual([false, true]);
  });

  it('the same pending entries applied by both at once: one applies them, the other gets nothing or a retryable conflict', async () => {
    for (let n = 0; n < 10; n++) await accept(a, n);
    await a.inbox.whenFlushed();
    const ids = await a.store.pendingIds(100);
    const decide = (store: HotPathStore) =>
      store
        .applyPending(ids, (entries, orders) => new OrderStateService().decide(entries, orders))
        .catch((e) => (e instanceof ConcurrentUpdateError ? 'conflict' : Promise.reject(e as Error)));
    const [first, second] = await Promise.all([decide(a.store), decide(b.store)]);
    const applied = [first, second].filter((r) => r !== null && r !== 'conflict');
    expect(applied).toHaveLength(1);
    expect(await a.store.countPending()).toBe(0);
    expect(await a.dataSource.getRepository(OrderEventRecord).count()).toBe(10);
  });
});
