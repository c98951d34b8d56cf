import { oldTradeLog } from '../../../test/helpers/old-trade-log';
import { describePostgres, openTestStore } from '../../../test/helpers/postgres';
import { tempDir } from '../../../test/helpers/test-app';
import { dedupKeyOf } from '../../inbox/dedup-key';
import { toOrderUpdate } from '../../orders/order-update';

const update = toOrderUpdate({ order_id: '2612030000000000001', status: 'OPEN', quantity: 10, order_timestamp: '2026-12-03 09:15:00' });
/** The key the code before this migration stored for `update`: the hash alone. */
const oldKey = dedupKeyOf(update).slice(update.orderId.length + 1);

describe('migration DedupKeyByOrder on a trade log written by the old code', () => {
  const tmp = tempDir('legwork-migration-');
  afterAll(() => tmp.cleanup());

  it('rewrites stored keys as the new code computes them, so a repeat of an update stored before is still a duplicate', async () => {
    const { old, migrate } = await oldTradeLog(tmp.dir, 'DedupKeyByOrder1797000000300');
    await old.query(`INSERT INTO "inbox" ("dedupKey", "source", "orderId", "rawBody") VALUES (?, 'postback', ?, '{}')`, [oldKey, update.orderId]);
    await old.destroy();

    const migrated = await migrate({ throughOnly: true });
    try {
      expect(await migrated.query(`SELECT "dedupKey" FROM "inbox"`)).toEqual([{ dedupKey: dedupKeyOf(update) }]);
      await expect(
        migrated.query(`INSERT INTO "inbox" ("dedupKey", "source", "orderId", "rawBody") VALUES (?, 'websocket', ?, '{}')`, [
          dedupKeyOf(update),
          update.orderId,
        ]),
      ).rejects.toThrow(/UNIQUE/);
      await migrated.undoLastMigration();
      expect(await migrated.query(`SELECT "dedupKey" FROM "inbox"`)).toEqual([{ dedupKey: oldKey }]);
    } finally {
      await migrated.destroy();
    }
  });
});

describePostgres('migration DedupKeyByOrder on PostgreSQL', () => {
  it('makes room for the order id in front of the hash', async () => {
    const store = await openTestStore('postgres');
    try {
      const longest = `${'9'.repeat(32)}:${oldKey}`;
      await store.dataSource.query(`INSERT INTO "inbox" ("dedupKey", "source", "orderId", "rawBody") VALUES ($1, 'postback', $2, '{}')`, [
        longest,
        '9'.repeat(32),
      ]);
      expect(await store.dataSource.query(`SELECT "dedupKey" FROM "inbox"`)).toEqual([{ dedupKey: longest }]);
    } finally {
      await store.close();
    }
  });
});
