import { oldTradeLog } from '../../../test/helpers/old-trade-log';
import { tempDir } from '../../../test/helpers/test-app';

describe('migration FillPrices on a trade log written by the old code', () => {
  const tmp = tempDir('legwork-migration-');
  afterAll(() => tmp.cleanup());

  it('turns prices of 0 into unpriced (NULL) and times each fill by its order.filled event (exchange_update_timestamp)', async () => {
    const { old, migrate } = await oldTradeLog(tmp.dir, 'FillPrices1796281438159');
    const event = (at: string) => JSON.stringify({ order: { orderId: '1', exchangeUpdateTimestamp: at }, fill: { quantity: 1 } });
    await old.query(
      `INSERT INTO "order_events" ("id", "orderId", "type", "status", "filledQuantity", "source", "payload") VALUES
       (1, '1', 'order.filled', 'OPEN', 2, 'postback', ?), (2, '1', 'order.filled', 'COMPLETE', 3, 'postback', ?)`,
      [event('2026-11-25 11:00:00'), event('2026-11-25 11:05:00')],
    );
    await old.query(
      `INSERT INTO "fills" ("orderId", "tradingsymbol", "transactionType", "quantity", "price", "cumulativeQuantity", "exchangeTimestamp", "orderEventId") VALUES
       ('1', 'SBIN', 'BUY', 2, 470.5, 2, '2026-11-25 09:15:00', 1), ('1', 'SBIN', 'BUY', 1, 0, 3, '2026-11-25 09:15:00', 2), ('2', 'SBIN', 'BUY', 1, 471, 1, '2026-11-25 09:16:00', NULL)`,
    );
    await old.destroy();

    const migrated = await migrate();
    try {
      expect(await migrated.query(`SELECT "orderId", "price", "cumulativeQuantity", "exchangeTimestamp" FROM "fills" ORDER BY "id"`)).toEqual([
        { orderId: '1', price: 470.5, cumulativeQuantity: 2, exchangeTimestamp: '2026-11-25 11:00:00' },
        { orderId: '1', price: null, cumulativeQuantity: 3, exchangeTimestamp: '2026-11-25 11:05:00' },
        { orderId: '2', price: 471, cumulativeQuantity: 1, exchangeTimestamp: '2026-11-25 09:16:00' }, // no event: kept
      ]);
      // Still one fill per rise.
      await expect(migrated.query(`INSERT INTO "fills" ("orderId", "quantity", "price", "cumulativeQuantity") VALUES ('1', 1, NULL, 3)`)).rejects.toThrow(
        /UNIQUE/,
      );
    } finally {
      await migrated.destroy();
    }
  });
});
