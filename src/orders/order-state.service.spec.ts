import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { orderUpdate } from '../../test/helpers/postbacks';
import { sqliteDataSourceOptions } from '../database/data-source.options';
import { ENTITIES } from '../entities';
import { ConcurrentUpdateError, Decide, InboxIntake } from '../database/hot-path/hot-path.store';
import { SqliteHotPathStore } from '../database/hot-path/sqlite-hot-path.store';
import { WriteTransactions } from '../database/write-transactions';
import { InboxEntry } from '../inbox/inbox-entry.entity';
import { Fill } from './entities/fill.entity';
import { OrderEventRecord } from './entities/order-event.entity';
import { Order } from './entities/order.entity';
import { OrderStateDecision, OrderStateService } from './order-state.service';
import { toOrderUpdate } from './order-update';

/** A real SQLite trade log (migrated) with the hot-path store and the order-state decisions on top of it. */
async function store(path: string) {
  const dataSource = await new DataSource(sqliteDataSourceOptions({ path, synchronous: 'FULL' }, ENTITIES)).initialize();
  const writes = new WriteTransactions(dataSource);
  const hotPath = new SqliteHotPathStore(dataSource, writes);
  const orderState = new OrderStateService();
  const decide: Decide<OrderStateDecision> = (entries, orders) => orderState.decide(entries, orders);
  let n = 0;
  const intake = (...bodies: Array<Record<string, unknown> | string>): InboxIntake[] =>
    bodies.map((body) => ({
      dedupKey: `key-${++n}`,
      source: 'postback' as const,
      orderId: typeof body === 'string' ? 'unknown' : String(body.order_id),
      rawBody: typeof body === 'string' ? body : JSON.stringify(body),
      update: typeof body === 'string' ? undefined : toOrderUpdate(body),
    }));
  /** Put updates into the inbox pending, as a reconcile or a start would find them; returns their ids. */
  const receive = async (...bodies: Array<Record<string, unknown> | string>): Promise<number[]> => {
    const rows = intake(...bodies);
    await hotPath.storePending(rows);
    return (await dataSource.getRepository(InboxEntry).find({ order: { id: 'ASC' } }))
      .filter((e) => rows.some((r) => r.dedupKey === e.dedupKey))
      .map((e) => e.id);
  };
  const apply = async (ids: number[]) => (await hotPath.applyPending(ids, decide))?.writes.results ?? [];
  /** Everything applying stored, without ids and clocks: what must not depend on how entries were batched. */
  const contents = async () => ({
    orders: (await dataSource.getRepository(Order).find({ order: { orderId: 'ASC' } })).map(({ createdAt, updatedAt, version, ...rest }) => rest),
    events: (await dataSource.getRepository(OrderEventRecord).find({ order: { id: 'ASC' } })).map(({ id, createdAt, dispatchedAt, inboxId, ...rest }) => rest),
    fills: await Promise.all(
      (await dataSource.getRepository(Fill).find({ order: { id: 'ASC' } })).map(async ({ id, createdAt, orderEventId, ...rest }) => ({
        ...rest,
        event: orderEventId === null ? null : (await dataSource.getRepository(OrderEventRecord).findOneByOrFail({ id: orderEventId })).type,
      })),
    ),
    inbox: (await dataSource.getRepository(InboxEntry).find({ order: { id: 'ASC' } })).map((e) => ({
      processed: e.processedAt !== null,
      outcome: e.outcome,
      note: e.note,
      attempts: e.attempts,
    })),
  });
  return { dataSource, writes, hotPath, decide, intake, receive, apply, contents };
}

const A = '1000000000000000001';
const B = '1000000000000000002';
/** Two orders interleaved: partial fills, a stale repeat, a modify, completion, a cancel, and one unreadable body. */
const day = (): Array<Record<string, unknown> | string> => [
  orderUpdate(A, 'OPEN', 0, 10, 0, '2026-11-25 09:15:00'),
  orderUpdate(B, 'UPDATE', 4, 10, 99.5, '2026-11-25 09:15:01'),
  orderUpdate(A, 'UPDATE', 3, 10, 100, '2026-11-25 09:15:02'),
  orderUpdate(A, 'UPDATE', 3, 10, 100, '2026-11-25 09:15:02', { price: 100 }), // same state again: ignored
  '{"order_id": "1000000000000000003", "status": ', // unreadable: kept, marked failed
  orderUpdate(A, 'UPDATE', 1, 10, 100, '2026-11-25 09:15:01'), // older, fewer fills: ignored
  orderUpdate(B, 'CANCELLED', 4, 10, 99.5, '2026-11-25 09:15:05', { cancelled_quantity: 6 }),
  orderUpdate(A, 'UPDATE', 7, 10, 101, '2026-11-25 09:15:03', { price: 101 }),
  orderUpdate(A, 'COMPLETE', 10, 10, 101.3, '2026-11-25 09:15:04', { price: 101 }),
];

describe('order state through the hot-path store (a real SQLite trade log)', () => {
  let dirs: string[];
  let sources: Array<{ dataSource: DataSource; writes: WriteTransactions }>;
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['error', 'warn', 'log']));
  beforeEach(() => {
    dirs = [];
    sources = [];
  });
  afterEach(async () => {
    for (const s of sources) {
      await s.writes.onApplicationShutdown();
      await s.dataSource.destroy();
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  async function freshStore() {
    const dir = mkdtempSync(join(tmpdir(), 'legwork-order-state-'));
    dirs.push(dir);
    const s = await store(join(dir, 'legwork.sqlite'));
    sources.push(s);
    return s;
  }

  it('applies a batch with several updates per order in arrival order: final rows, events, fills and inbox marks', async () => {
    const { receive, apply, contents } = await freshStore();
    const results = await apply(await receive(...day()));

    expect(results.map((r) => r.outcome)).toEqual(['applied', 'applied', 'applied', 'ignored', 'failed', 'ignored', 'applied', 'applied', 'applied']);
    const { orders, events, fills, inbox } = await contents();
    expect(orders).toEqual([
      expect.objectContaining({ orderId: A, status: 'COMPLETE', filledQuantity: 10, averagePrice: 101.3, lastPayload: JSON.stringify(day()[8]) }),
      expect.objectContaining({ orderId: B, status: 'CANCELLED', filledQuantity: 4, cancelledQuantity: 6 }),
    ]);
    expect(events.map((e) => `${e.orderId === A ? 'A' : 'B'} ${e.type}`)).toEqual([
      'A order.opened',
      'B order.opened',
      'B order.filled',
      'A order.filled',
      'B order.cancelled',
      'A order.filled',
      'A order.filled',
      'A order.completed',
    ]);
    // Each event carries the order as it was right after that update, not the batch's final state.
    expect(events.map((e) => (JSON.parse(e.payload) as { order: { filledQuantity: number } }).order.filledQuantity)).toEqual([0, 4, 4, 3, 4, 7, 10, 10]);
    expect(fills.map((f) => [f.orderId === A ? 'A' : 'B', f.quantity, f.price, f.cumulativeQuantity, f.event])).toEqual([
      ['B', 4, 99.5, 4, 'order.filled'],
      ['A', 3, 100, 3, 'order.filled'],
      ['A', 4, 101.75, 7, 'order.filled'],
      ['A', 3, 102, 10, 'order.filled'],
    ]);
    expect(inbox.every((e) => e.processed && e.attempts === 1)).toBe(true);
    expect(inbox.map((e) => e.outcome)).toEqual(results.map((r) => r.outcome));
    expect(inbox[4].note).toMatch(/^unreadable update/);
    expect(inbox[3].note).toBe('no change in order state');
  });

  it('stores exactly what applying the same entries one at a time stores, however they are batched or taken in', async () => {
    const single = await freshStore();
    for (const id of await single.receive(...day())) await single.apply([id]);
    const batched = await freshStore();
    const ids = await batched.receive(...day());
    await batched.apply(ids.slice(0, 4));
    await batched.apply(ids.slice(4));
    const whole = await freshStore();
    await whole.apply(await whole.receive(...day()));
    // Applied in the unit of work that stores them (the ingestion pipeline's way).
    const onArrival = await freshStore();
    const { outcome, durable } = await onArrival.hotPath.ingest(onArrival.intake(...day()), { decide: onArrival.decide, durable: true });
    await durable;
    expect(outcome).toMatchObject({ pending: 0, duplicates: day().map(() => false) });

    const expected = await single.contents();
    expect(await batched.contents()).toEqual(expected);
    expect(await whole.contents()).toEqual(expected);
    expect(await onArrival.contents()).toEqual(expected);
  });

  it('continues from the stored state in a later batch, and bumps the optimistic-lock version once per batch', async () => {
    const { receive, apply, dataSource } = await freshStore();
    await apply(await receive(orderUpdate(A, 'OPEN', 0, 10, 0, '2026-11-25 09:15:00')));
    const before = await dataSource.getRepository(Order).findOneByOrFail({ orderId: A });
    await apply(await receive(orderUpdate(A, 'UPDATE', 2, 10, 100, '2026-11-25 09:15:01'), orderUpdate(A, 'UPDATE', 5, 10, 100, '2026-11-25 09:15:02')));
    const after = await dataSource.getRepository(Order).findOneByOrFail({ orderId: A });
    expect(after).toMatchObject({ filledQuantity: 5, status: 'OPEN', version: before.version + 1 });
    expect((await dataSource.getRepository(Fill).find({ order: { id: 'ASC' } })).map((f) => f.quantity)).toEqual([2, 3]);
  });

  it('rolls the whole batch back when an order changed between its read and its write (optimistic lock)', async () => {
    const { hotPath, decide, receive, apply, dataSource, contents } = await freshStore();
    await apply(await receive(orderUpdate(B, 'OPEN', 0, 10, 0, '2026-11-25 09:15:00')));
    const before = await contents();
    const ids = await receive(orderUpdate(A, 'OPEN', 0, 10, 0, '2026-11-25 09:15:00'), orderUpdate(B, 'UPDATE', 2, 10, 100, '2026-11-25 09:15:01'));
    // Another writer bumps B while the batch is being decided (SQLite can only be raced like this from inside).
    const connection = (dataSource.driver as unknown as { databaseConnection: import('better-sqlite3').Database }).databaseConnection;
    const racing: typeof decide = (entries, orders) => {
      connection.prepare(`UPDATE orders SET version = version + 1 WHERE "orderId" = ?`).run(B);
      return decide(entries, orders);
    };

    await expect(hotPath.applyPending(ids, racing)).rejects.toBeInstanceOf(ConcurrentUpdateError);
    const after = await contents();
    expect(after.orders).toEqual(before.orders);
    expect(after.events).toEqual(before.events);
    expect(after.inbox.slice(1).map((e) => e.processed)).toEqual([false, false]);
    expect((await dataSource.getRepository(Order).findOneByOrFail({ orderId: B })).version).toBe(1);
  });

  it('on arrival, leaves an order whose older entry is still pending to the processor, in order, and applies the others', async () => {
    const { hotPath, decide, intake, receive, apply, contents } = await freshStore();
    const [older] = await receive(orderUpdate(A, 'OPEN', 0, 10, 0, '2026-11-25 09:15:00'));
    const { outcome, durable } = await hotPath.ingest(
      intake(orderUpdate(A, 'UPDATE', 4, 10, 100, '2026-11-25 09:15:01'), orderUpdate(B, 'OPEN', 0, 10, 0, '2026-11-25 09:15:02')),
      { decide, durable: true },
    );
    await durable;
    expect(outcome).toMatchObject({ pending: 1, applied: { entries: [expect.objectContaining({ orderId: B })] } });
    expect((await contents()).orders.map((o) => o.orderId)).toEqual([B]);

    // The processor takes A's entries oldest first.
    const pending = await hotPath.pendingIds(10);
    expect(pending[0]).toBe(older);
    await apply(pending);
    const { orders, events } = await contents();
    expect(orders).toEqual([expect.objectContaining({ orderId: A, filledQuantity: 4 }), expect.objectContaining({ orderId: B })]);
    expect(events.map((e) => `${e.orderId === A ? 'A' : 'B'} ${e.type}`)).toEqual(['B order.opened', 'A order.opened', 'A order.filled']);
  });

  it('on arrival, commits the intake pending when applying fails, and absorbs repeats within and across batches', async () => {
    const { hotPath, intake, contents } = await freshStore();
    const rows = intake(orderUpdate(A, 'OPEN', 0, 10, 0, '2026-11-25 09:15:00'));
    const failing = () => {
      throw new Error('a bug in deciding');
    };
    const first = await hotPath.ingest([...rows, rows[0]], { decide: failing, durable: true });
    await first.durable;
    expect(first.outcome).toMatchObject({ duplicates: [false, true], applied: null, pending: 1 });
    expect(String(first.outcome.applyError)).toMatch(/a bug in deciding/);
    const again = await hotPath.ingest(rows, { decide: failing, durable: true });
    await again.durable;
    expect(again.outcome.duplicates).toEqual([true]);
    expect(await contents()).toMatchObject({ orders: [], inbox: [{ processed: false, attempts: 0 }] });
  });
});
