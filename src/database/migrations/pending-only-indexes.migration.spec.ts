import type { DataSource } from 'typeorm';
import { oldTradeLog } from '../../../test/helpers/old-trade-log';
import { describePostgres, openTestStore } from '../../../test/helpers/postgres';
import { tempDir } from '../../../test/helpers/test-app';

/** Indexes this migration rebuilds as partial ones, under the same names. */
const CHANGED = ['IDX_inbox_pending', 'IDX_order_events_undispatched', 'IDX_legs_sliceOf', 'IDX_legs_autosliceParentId'];
/** Gone (the legs' order id index comes back as IDX_legs_orderId, partial). */
const DROPPED = ['IDX_a571eab44139efcd4958b9b00f', 'IDX_14a90cf09b991f3cda7d94f7d0', 'IDX_b00676bcda2e2e45c198675e43'];

const sqliteIndexes = async (ds: DataSource) =>
  Object.fromEntries(
    (await ds.query<Array<{ name: string; sql: string }>>(`SELECT "name", "sql" FROM "sqlite_master" WHERE "type" = 'index' AND "sql" IS NOT NULL`)).map(
      (r) => [r.name, r.sql.replace(/\s+/g, ' ').trim()],
    ),
  );

const plan = async (ds: DataSource, sql: string) => (await ds.query<Array<{ detail: string }>>(`EXPLAIN QUERY PLAN ${sql}`)).map((r) => r.detail).join(' | ');

describe('migration PendingOnlyIndexes on a trade log written by the old code', () => {
  const tmp = tempDir('legwork-migration-');
  afterAll(() => tmp.cleanup());

  it('keeps only pending rows in the pending indexes, slice columns only where set, drops the two indexes a unique one covers, and undoes it', async () => {
    const { old, migrate } = await oldTradeLog(tmp.dir, 'PendingOnlyIndexes1797000000200');
    const inbox = (key: string, processed: boolean) =>
      old.query(`INSERT INTO "inbox" ("dedupKey", "source", "orderId", "rawBody", "processedAt") VALUES (?, 'postback', '1', '{}', ?)`, [
        key,
        processed ? '2026-12-03 04:00:00' : null,
      ]);
    await inbox('a', true);
    await inbox('b', false);
    await inbox('c', true);
    await inbox('d', false);
    for (const dispatched of [true, false, false])
      await old.query(
        `INSERT INTO "order_events" ("orderId", "type", "status", "filledQuantity", "source", "payload", "dispatchedAt") VALUES ('1', 'order.updated', 'OPEN', 0, 'postback', '{}', ?)`,
        [dispatched ? '2026-12-03 04:00:00' : null],
      );
    await old.query(
      `INSERT INTO "legs" ("strategy", "chainId", "parentOrderId", "legName", "tag", "status", "request") VALUES ('s', '1', '1', 'exit', 'lwwhole', 'placed', '{}')`,
    );
    await old.query(
      `INSERT INTO "legs" ("strategy", "chainId", "parentOrderId", "legName", "tag", "status", "request", "slice", "sliceOf", "autosliceParentId") VALUES ('s', '1', '1', 'exit', 'lwslice1', 'placed', '{}', 1, 1, '9')`,
    );
    const before = await sqliteIndexes(old);
    await old.destroy();

    const migrated = await migrate({ throughOnly: true });
    try {
      const after = await sqliteIndexes(migrated);
      expect(after).toMatchObject({
        IDX_inbox_pending: 'CREATE INDEX "IDX_inbox_pending" ON "inbox" ("id") WHERE "processedAt" IS NULL',
        IDX_order_events_undispatched: 'CREATE INDEX "IDX_order_events_undispatched" ON "order_events" ("id") WHERE "dispatchedAt" IS NULL',
        IDX_legs_sliceOf: 'CREATE INDEX "IDX_legs_sliceOf" ON "legs" ("sliceOf") WHERE "sliceOf" IS NOT NULL',
        IDX_legs_autosliceParentId: 'CREATE INDEX "IDX_legs_autosliceParentId" ON "legs" ("autosliceParentId") WHERE "autosliceParentId" IS NOT NULL',
        IDX_legs_orderId: 'CREATE INDEX "IDX_legs_orderId" ON "legs" ("orderId") WHERE "orderId" IS NOT NULL',
      });
      for (const name of DROPPED) expect(after).not.toHaveProperty(name);

      // The queries the hot path asks still find exactly the pending rows, through the partial indexes.
      expect(await migrated.query(`SELECT "dedupKey" FROM "inbox" WHERE "processedAt" IS NULL ORDER BY "id"`)).toEqual([{ dedupKey: 'b' }, { dedupKey: 'd' }]);
      expect(await plan(migrated, `SELECT "id" FROM "inbox" WHERE "processedAt" IS NULL ORDER BY "id" LIMIT 10`)).toContain('IDX_inbox_pending');
      expect(await migrated.query(`SELECT "id" FROM "order_events" WHERE "dispatchedAt" IS NULL ORDER BY "id"`)).toEqual([{ id: 2 }, { id: 3 }]);
      expect(await plan(migrated, `SELECT "id" FROM "order_events" WHERE "dispatchedAt" IS NULL ORDER BY "id" LIMIT 10`)).toContain(
        'IDX_order_events_undispatched',
      );
      expect(await migrated.query(`SELECT "tag" FROM "legs" WHERE "sliceOf" = 1`)).toEqual([{ tag: 'lwslice1' }]);
      expect(await plan(migrated, `SELECT "tag" FROM "legs" WHERE "sliceOf" = 1`)).toContain('IDX_legs_sliceOf');
      expect(await plan(migrated, `SELECT "tag" FROM "legs" WHERE "autosliceParentId" = '9'`)).toContain('IDX_legs_autosliceParentId');
      expect(await plan(migrated, `SELECT "tag" FROM "legs" WHERE "orderId" = '5'`)).toContain('IDX_legs_orderId');
      expect(await plan(migrated, `SELECT "tag" FROM "legs" WHERE "orderId" IN ('5', '6')`)).toContain('IDX_legs_orderId');
      // The look-ups the dropped indexes served go through the unique indexes that start with the same column.
      expect(await plan(migrated, `SELECT "id" FROM "fills" WHERE "orderId" = '1'`)).toContain('UQ_fills_order_cumulative');
      expect(await plan(migrated, `SELECT "id" FROM "legs" WHERE "strategy" = 's'`)).toContain('UQ_legs_key');

      await migrated.undoLastMigration();
      const undone = await sqliteIndexes(migrated);
      for (const name of [...CHANGED, ...DROPPED]) expect([name, undone[name]]).toEqual([name, before[name]]);
      expect(undone).not.toHaveProperty('IDX_legs_orderId');
    } finally {
      await migrated.destroy();
    }
  });
});

describePostgres('migration PendingOnlyIndexes on PostgreSQL', () => {
  it('leaves the same indexes as on SQLite', async () => {
    const store = await openTestStore('postgres');
    try {
      const rows = await store.dataSource.query<Array<{ indexname: string; indexdef: string }>>(
        `SELECT "indexname", "indexdef" FROM pg_indexes WHERE schemaname = current_schema() AND "indexname" = ANY($1)`,
        [[...CHANGED, ...DROPPED, 'IDX_legs_orderId']],
      );
      expect(Object.fromEntries(rows.map((r) => [r.indexname, r.indexdef]))).toEqual({
        IDX_inbox_pending: expect.stringMatching(/ON \S*inbox USING btree \(id\) WHERE \("processedAt" IS NULL\)$/),
        IDX_order_events_undispatched: expect.stringMatching(/ON \S*order_events USING btree \(id\) WHERE \("dispatchedAt" IS NULL\)$/),
        IDX_legs_sliceOf: expect.stringMatching(/ON \S*legs USING btree \("sliceOf"\) WHERE \("sliceOf" IS NOT NULL\)$/),
        IDX_legs_autosliceParentId: expect.stringMatching(/ON \S*legs USING btree \("autosliceParentId"\) WHERE \("autosliceParentId" IS NOT NULL\)$/),
        IDX_legs_orderId: expect.stringMatching(/ON \S*legs USING btree \("orderId"\) WHERE \("orderId" IS NOT NULL\)$/),
      });
    } finally {
      await store.close();
    }
  });
});
