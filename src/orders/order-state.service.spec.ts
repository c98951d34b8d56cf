import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { orderUpdate } from '../../test/helpers/postbacks';
import { sqliteDataSourceOptions } from '../database/data-source.options';
import { WriteTransactions } from '../database/write-transactions';
import { InboxEntry } from '../inbox/inbox-entry.entity';
import { Fill } from './entities/fill.entity';
import { OrderEventRecord } from './entities/order-event.entity';
import { Order } from './entities/order.entity';
import { ConcurrentUpdateError, OrderStateService } from './order-state.service';

/** A real SQLite trade log (migrated) with the service on top of it. */
async function store(path: string) {
  const dataSource = await new DataSource(sqliteDataSourceOptions({ path, synchronous: 'FULL' })).initialize();
  const service = new OrderStateService(new WriteTransactions(dataSource));
  let n = 0;
  /** Put updates into the inbox as the ingress would (processing is done by the test). */
  const receive = async (...bodies: Array<Record<string, unknown> | string>): Promise<InboxEntry[]> => {
    const rows = bodies.map((body) => ({
      dedupKey: `key-${++n}`,
      source: 'postback' as const,
      orderId: typeof body === 'string' ? 'unknown' : String(body.order_id),
      rawBody: typeof body === 'string' ? body : JSON.stringify(body),
    }));
    await dataSource.getRepository(InboxEntry).insert(rows);
    return dataSource.getRepository(InboxEntry).find({ where: { dedupKey: In(rows.map((r) => r.dedupKey)) }, order: { id: 'ASC' } });
  };
  /** Everything applying stored, without ids and clocks: what must not depend on how entries were chunked. */
  const contents = async () => ({
    orders: (await dataSource.getRepository(Order).find({ order: { orderId: 'ASC' } })).map(({ createdAt, updatedAt, version, ...rest }) => rest),
    events: (await dataSource.getRepository(OrderEventRecord).find({ order: { id: 'ASC' } })).map(({ id, createdAt, dispatchedAt, ...rest }) => rest),
    fills: await Promise.all(
      (await dataSource.getRepository(Fill).find({ order: { id: 'ASC' } })).map(async ({ id, createdAt, orderEventId, ...rest }) => ({
        ...rest,
        event: orderEventId === null ? null : (await dataSource.getRepository(OrderEventRecord).findOneByOrFail({ id: orderEventId })).type,
      })),
    ),
    inbox: (await dataSource.getRepository(InboxEntry).find({ order: { id: 'ASC' } })).map((e) => ({
      id: e.id,
      processed: e.processedAt !== null,
      outcome: e.outcome,
      note: e.note,
      attempts: e.attempts,
    })),
  });
  return { dataSource, service, receive, contents };
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

describe('OrderStateService (bulk apply on a real SQLite trade log)', () => {
  let dirs: string[];
  let sources: DataSource[];
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['error', 'warn', 'log']));
  beforeEach(() => {
    dirs = [];
    sources = [];
  });
  afterEach(async () => {
    for (const s of sources) await s.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  async function freshStore() {
    const dir = mkdtempSync(join(tmpdir(), 'legwork-order-state-'));
    dirs.push(dir);
    const s = await store(join(dir, 'legwork.sqlite'));
    sources.push(s.dataSource);
    return s;
  }

  it('applies a chunk with several updates per order in arrival order: final rows, events, fills and inbox marks', async () => {
    const { service, receive, contents } = await freshStore();
    const entries = await receive(...day());
    const results = await service.applyEntries(entries);

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
    // Each event carries the order as it was right after that update, not the chunk's final state.
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

  it('stores exactly what applying the same entries one at a time stores, whatever the chunking', async () => {
    const single = await freshStore();
    for (const entry of await single.receive(...day())) await single.service.applyEntry(entry);
    const chunked = await freshStore();
    const entries = await chunked.receive(...day());
    await chunked.service.applyEntries(entries.slice(0, 4));
    await chunked.service.applyEntries(entries.slice(4));
    const whole = await freshStore();
    await whole.service.applyEntries(await whole.receive(...day()));

    const expected = await single.contents();
    expect(await chunked.contents()).toEqual(expected);
    expect(await whole.contents()).toEqual(expected);
  });

  it('continues from the stored state in a later chunk, and bumps the optimistic-lock version once per chunk', async () => {
    const { service, receive, dataSource } = await freshStore();
    await service.applyEntries(await receive(orderUpdate(A, 'OPEN', 0, 10, 0, '2026-11-25 09:15:00')));
    const before = await dataSource.getRepository(Order).findOneByOrFail({ orderId: A });
    await service.applyEntries(await receive(orderUpdate(A, 'UPDATE', 2, 10, 100, '2026-11-25 09:15:01'), orderUpdate(A, 'UPDATE', 5, 10, 100, '2026-11-25 09:15:02')));
    const after = await dataSource.getRepository(Order).findOneByOrFail({ orderId: A });
    expect(after).toMatchObject({ filledQuantity: 5, status: 'OPEN', version: before.version + 1 });
    expect((await dataSource.getRepository(Fill).find({ order: { id: 'ASC' } })).map((f) => f.quantity)).toEqual([2, 3]);
  });

  it('rolls the whole chunk back when one of its entries was already processed by someone else', async () => {
    const { service, receive, dataSource, contents } = await freshStore();
    const entries = await receive(orderUpdate(A, 'OPEN', 0, 10, 0, '2026-11-25 09:15:00'), orderUpdate(B, 'OPEN', 0, 10, 0, '2026-11-25 09:15:00'));
    // Another instance got to B first.
    await dataSource.getRepository(InboxEntry).update({ id: entries[1].id }, { processedAt: new Date(), outcome: 'applied' });

    await expect(service.applyEntries(entries)).rejects.toBeInstanceOf(ConcurrentUpdateError);
    const { orders, events, inbox } = await contents();
    expect(orders).toEqual([]);
    expect(events).toEqual([]);
    expect(inbox[0]).toMatchObject({ processed: false, attempts: 0 });
  });
});
