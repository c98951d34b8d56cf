import { MigrationInterface, QueryRunner } from 'typeorm';
import { onPostgres, runOnPostgres } from '../postgres/postgres-migrations';

/**
 * fills.price becomes nullable: a fill Kite reported without a usable average price is stored unpriced (NULL) and
 * priced later from Kite's trades, instead of at 0. Existing rows are corrected: a price of 0 or less (what the old
 * code stored for such fills) becomes NULL, and exchangeTimestamp becomes the time the fill happened (the
 * exchange_update_timestamp of the order.filled event's order) instead of when the exchange registered the order.
 */
export class FillPrices1796281438159 implements MigrationInterface {
  name = 'FillPrices1796281438159';

  public async up(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) return runOnPostgres(queryRunner, this.name, 'up');
    await queryRunner.query(`DROP INDEX "UQ_fills_order_cumulative"`);
    await queryRunner.query(`DROP INDEX "IDX_a571eab44139efcd4958b9b00f"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_fills" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "orderId" varchar(32) NOT NULL, "tradingsymbol" varchar(64), "transactionType" varchar(8), "quantity" integer NOT NULL, "price" double precision, "cumulativeQuantity" integer NOT NULL, "exchangeTimestamp" varchar(19), "orderEventId" integer, "createdAt" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_fills"("id", "orderId", "tradingsymbol", "transactionType", "quantity", "price", "cumulativeQuantity", "exchangeTimestamp", "orderEventId", "createdAt") SELECT "id", "orderId", "tradingsymbol", "transactionType", "quantity", CASE WHEN "price" > 0 THEN "price" ELSE NULL END, "cumulativeQuantity", "exchangeTimestamp", "orderEventId", "createdAt" FROM "fills"`,
    );
    await queryRunner.query(`DROP TABLE "fills"`);
    await queryRunner.query(`ALTER TABLE "temporary_fills" RENAME TO "fills"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_fills_order_cumulative" ON "fills" ("orderId", "cumulativeQuantity") `);
    await queryRunner.query(`CREATE INDEX "IDX_a571eab44139efcd4958b9b00f" ON "fills" ("orderId") `);
    await backfillFillTimes(queryRunner);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) return runOnPostgres(queryRunner, this.name, 'down');
    await queryRunner.query(`DROP INDEX "IDX_a571eab44139efcd4958b9b00f"`);
    await queryRunner.query(`DROP INDEX "UQ_fills_order_cumulative"`);
    await queryRunner.query(`ALTER TABLE "fills" RENAME TO "temporary_fills"`);
    await queryRunner.query(
      `CREATE TABLE "fills" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "orderId" varchar(32) NOT NULL, "tradingsymbol" varchar(64), "transactionType" varchar(8), "quantity" integer NOT NULL, "price" double precision NOT NULL, "cumulativeQuantity" integer NOT NULL, "exchangeTimestamp" varchar(19), "orderEventId" integer, "createdAt" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `INSERT INTO "fills"("id", "orderId", "tradingsymbol", "transactionType", "quantity", "price", "cumulativeQuantity", "exchangeTimestamp", "orderEventId", "createdAt") SELECT "id", "orderId", "tradingsymbol", "transactionType", "quantity", COALESCE("price", 0), "cumulativeQuantity", "exchangeTimestamp", "orderEventId", "createdAt" FROM "temporary_fills"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_fills"`);
    await queryRunner.query(`CREATE INDEX "IDX_a571eab44139efcd4958b9b00f" ON "fills" ("orderId") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_fills_order_cumulative" ON "fills" ("orderId", "cumulativeQuantity") `);
  }
}

/** Each fill's time from its order.filled event (JSON read here, not in SQL, so no dialect's JSON functions). */
async function backfillFillTimes(queryRunner: QueryRunner): Promise<void> {
  const PAGE = 1000;
  for (let after = 0; ;) {
    const rows = (await queryRunner.query(
      `SELECT "f"."id", "f"."exchangeTimestamp", "e"."payload" FROM "fills" "f" INNER JOIN "order_events" "e" ON "e"."id" = "f"."orderEventId" WHERE "f"."id" > ? ORDER BY "f"."id" LIMIT ${PAGE}`,
      [after],
    )) as Array<{ id: number; exchangeTimestamp: string | null; payload: string }>;
    if (rows.length === 0) return;
    for (const row of rows) {
      let at: unknown;
      try {
        at = (JSON.parse(row.payload) as { order?: { exchangeUpdateTimestamp?: unknown } }).order?.exchangeUpdateTimestamp;
      } catch {
        at = undefined; // an unreadable payload keeps the time it has
      }
      if (typeof at === 'string' && at !== row.exchangeTimestamp) {
        await queryRunner.query(`UPDATE "fills" SET "exchangeTimestamp" = ? WHERE "id" = ?`, [at, row.id]);
      }
    }
    after = rows[rows.length - 1].id;
  }
}
