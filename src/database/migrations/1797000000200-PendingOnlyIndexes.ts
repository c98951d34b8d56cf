import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fewer index pages changed per postback and per leg: every page a commit changes is written to the WAL (two writes
 * each), and index pages were most of them (issue 15). Indexes the hot path kept up to date but no query needs whole:
 * - the inbox's and the outbox's "pending" indexes hold only pending rows (partial: WHERE … IS NULL). A postback applied
 *   on arrival never enters the inbox's; an event leaves the outbox's once dispatched. Every query on them asks for
 *   pending rows only, in id order (WHERE "processedAt" IS NULL … ORDER BY "id").
 * - a leg's order id and slice columns are indexed only where set: a leg is recorded before it has an order (the id is
 *   set when it is linked), and most legs are no slices. Look-ups are by value.
 * - fills("orderId") and legs("strategy") go: the unique indexes ("orderId", "cumulativeQuantity") and ("strategy",
 *   "parentOrderId", "legName", "slice") start with those columns and serve the same look-ups.
 * Portable: the same SQL on SQLite and PostgreSQL.
 */
export class PendingOnlyIndexes1797000000200 implements MigrationInterface {
  name = 'PendingOnlyIndexes1797000000200';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_inbox_pending"`);
    await queryRunner.query(`CREATE INDEX "IDX_inbox_pending" ON "inbox" ("id") WHERE "processedAt" IS NULL`);
    await queryRunner.query(`DROP INDEX "IDX_order_events_undispatched"`);
    await queryRunner.query(`CREATE INDEX "IDX_order_events_undispatched" ON "order_events" ("id") WHERE "dispatchedAt" IS NULL`);
    await queryRunner.query(`DROP INDEX "IDX_legs_sliceOf"`);
    await queryRunner.query(`CREATE INDEX "IDX_legs_sliceOf" ON "legs" ("sliceOf") WHERE "sliceOf" IS NOT NULL`);
    await queryRunner.query(`DROP INDEX "IDX_legs_autosliceParentId"`);
    await queryRunner.query(`CREATE INDEX "IDX_legs_autosliceParentId" ON "legs" ("autosliceParentId") WHERE "autosliceParentId" IS NOT NULL`);
    await queryRunner.query(`DROP INDEX "IDX_b00676bcda2e2e45c198675e43"`);
    await queryRunner.query(`CREATE INDEX "IDX_legs_orderId" ON "legs" ("orderId") WHERE "orderId" IS NOT NULL`);
    await queryRunner.query(`DROP INDEX "IDX_a571eab44139efcd4958b9b00f"`);
    await queryRunner.query(`DROP INDEX "IDX_14a90cf09b991f3cda7d94f7d0"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_14a90cf09b991f3cda7d94f7d0" ON "legs" ("strategy")`);
    await queryRunner.query(`CREATE INDEX "IDX_a571eab44139efcd4958b9b00f" ON "fills" ("orderId")`);
    await queryRunner.query(`DROP INDEX "IDX_legs_orderId"`);
    await queryRunner.query(`CREATE INDEX "IDX_b00676bcda2e2e45c198675e43" ON "legs" ("orderId")`);
    await queryRunner.query(`DROP INDEX "IDX_legs_autosliceParentId"`);
    await queryRunner.query(`CREATE INDEX "IDX_legs_autosliceParentId" ON "legs" ("autosliceParentId")`);
    await queryRunner.query(`DROP INDEX "IDX_legs_sliceOf"`);
    await queryRunner.query(`CREATE INDEX "IDX_legs_sliceOf" ON "legs" ("sliceOf")`);
    await queryRunner.query(`DROP INDEX "IDX_order_events_undispatched"`);
    await queryRunner.query(`CREATE INDEX "IDX_order_events_undispatched" ON "order_events" ("dispatchedAt", "id")`);
    await queryRunner.query(`DROP INDEX "IDX_inbox_pending"`);
    await queryRunner.query(`CREATE INDEX "IDX_inbox_pending" ON "inbox" ("processedAt", "id")`);
  }
}
