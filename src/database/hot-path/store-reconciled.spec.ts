import { DataSource, In } from 'typeorm';
import type { OrderSnapshot } from '../../events/order-snapshot';
import { dedupKeyOf } from '../../inbox/dedup-key';
import { InboxEntry } from '../../inbox/inbox-entry.entity';
import { applyOrderUpdate } from '../../orders/order-state.machine';
import { toOrderUpdate } from '../../orders/order-update';
import { advancesOrder } from '../../reconcile/reconcile.planner';
import { openTestStore, STORE_DIALECTS } from '../../../test/helpers/postgres';
import { hotPathStore } from '../database.module';
import { WriteTransactions } from '../write-transactions';
import type { HotPathStore } from './hot-path.store';

const row = (id: string, status: string, filled: number) => ({
  order_id: id,
  status,
  quantity: 10,
  filled_quantity: filled,
  pending_quantity: 10 - filled,
  average_price: filled ? 100 : 0,
  order_timestamp: '2026-11-25 09:15:00',
  exchange_update_timestamp: `2026-11-25 09:15:${String(filled).padStart(2, '0')}`,
});

const snapshotOf = (r: Record<string, unknown>) => {
  const t = applyOrderUpdate(null, toOrderUpdate(r));
  if (t.kind !== 'applied') throw new Error('not applied');
  return t.next;
};

/** A reconcile plan as ReconcileInboxWriter hands it to the inbox: each row with whether it advances its order. */
const intake = (plan: Array<Record<string, unknown>>, stored?: ReadonlyMap<string, OrderSnapshot>) =>
  plan.map((row) => {
    const update = toOrderUpdate(row);
    const advances = stored ? advancesOrder(row, stored.get(update.orderId)) : true;
    return { dedupKey: dedupKeyOf(update), source: 'reconcile' as const, orderId: update.orderId, rawBody: JSON.stringify(row), advances };
  });

describe.each(STORE_DIALECTS)('HotPathStore.storeReconciled: a reconcile plan into the inbox (real %s)', (dialect) => {
  let dataSource: DataSource;
  let store: HotPathStore;
  let writes: WriteTransactions;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ dataSource, close } = await openTestStore(dialect));
    writes = new WriteTransactions(dataSource);
    store = hotPathStore(dataSource, writes);
  });
  afterAll(async () => {
    await writes.onApplicationShutdown();
    await close();
  });

  it('stores the plan in order as reconcile entries, skipping what the inbox holds and repeats within the plan', async () => {
    const known = row('1', 'UPDATE', 3);
    await dataSource
      .getRepository(InboxEntry)
      .insert({ dedupKey: dedupKeyOf(toOrderUpdate(known)), source: 'postback', orderId: '1', rawBody: JSON.stringify(known) });
    const plan = [known, row('1', 'COMPLETE', 10), row('2', 'OPEN', 0), row('2', 'OPEN', 0), row('3', 'REJECTED', 0)];

    const { written } = await store.storeReconciled(intake(plan));

    expect(written).toBe(3);
    const entries = await dataSource.getRepository(InboxEntry).find({ order: { id: 'ASC' } });
    expect(entries.map((e) => [e.source, e.orderId, JSON.parse(e.rawBody).status])).toEqual([
      ['postback', '1', 'UPDATE'],
      ['reconcile', '1', 'COMPLETE'],
      ['reconcile', '2', 'OPEN'],
      ['reconcile', '3', 'REJECTED'],
    ]);
    expect(entries.every((e) => e.processedAt === null)).toBe(true);
  });

  it('writes a plan larger than one transaction completely, in order', async () => {
    const plan = Array.from({ length: 12_345 }, (_, i) => row(String(100_000 + i), 'OPEN', 0));
    expect((await store.storeReconciled(intake(plan))).written).toBe(plan.length);
    const ids = await dataSource.query<Array<{ orderId: string }>>(
      `SELECT "orderId" FROM inbox WHERE source = 'reconcile' AND length("orderId") = 6 ORDER BY id`,
    );
    expect(ids.map((r) => r.orderId)).toEqual(plan.map((r) => r.order_id));
  });

  it('leaves out the rows a live update may have overtaken during the read, and only those', async () => {
    const modified = (id: string, price: number) => ({ ...row(id, 'OPEN', 3), price });
    const stored = new Map([
      ['7001', snapshotOf(modified('7001', 400))],
      ['7002', snapshotOf(modified('7002', 400))],
      ['7003', snapshotOf(modified('7003', 400))],
    ]);
    const lastInboxId = await store.lastInboxId();
    // While Kite's book was being read, live postbacks reached orders 7001 and 7002 (7003 had none).
    for (const live of [modified('7001', 401), modified('7002', 401)]) {
      await dataSource
        .getRepository(InboxEntry)
        .insert({ dedupKey: dedupKeyOf(toOrderUpdate(live)), source: 'postback', orderId: live.order_id, rawBody: JSON.stringify(live) });
    }
    const plan = [
      modified('7001', 399), // a modification as the book had it: maybe older than the live one, left out
      row('7002', 'OPEN', 5), // a fill beyond what the store held: news whatever arrived, written
      modified('7003', 399), // no live update reached 7003: written
    ];
    expect(await store.storeReconciled(intake(plan, stored), lastInboxId)).toEqual({ written: 2, overtaken: 1 });
    const written = await dataSource
      .getRepository(InboxEntry)
      .find({ where: { source: 'reconcile', orderId: In(['7001', '7002', '7003']) }, order: { id: 'ASC' } });
    expect(written.map((e) => [e.orderId, JSON.parse(e.rawBody).filled_quantity])).toEqual([
      ['7002', 5],
      ['7003', 3],
    ]);
  });
});
