import { MigrationInterface, QueryRunner } from 'typeorm';
import { onPostgres, runOnPostgres } from '../postgres/postgres-migrations';

export class InitialSchema1795573417402 implements MigrationInterface {
  name = 'InitialSchema1795573417402';

  public async up(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) return runOnPostgres(queryRunner, this.name, 'up');
    await queryRunner.query(
      `CREATE TABLE "inbox" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "dedupKey" varchar(64) NOT NULL, "source" varchar(16) NOT NULL, "orderId" varchar(32) NOT NULL, "rawBody" text NOT NULL, "receivedAt" datetime NOT NULL DEFAULT (datetime('now')), "processedAt" datetime, "outcome" varchar(16), "note" text, "attempts" integer NOT NULL DEFAULT (0), CONSTRAINT "UQ_03c79c03466e9326944e24aa267" UNIQUE ("dedupKey"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_7b0d4f403b0c1132093b1d9434" ON "inbox" ("orderId") `);
    await queryRunner.query(`CREATE INDEX "IDX_inbox_pending" ON "inbox" ("processedAt", "id") `);
    await queryRunner.query(
      `CREATE TABLE "fills" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "orderId" varchar(32) NOT NULL, "tradingsymbol" varchar(64), "transactionType" varchar(8), "quantity" integer NOT NULL, "price" double precision NOT NULL, "cumulativeQuantity" integer NOT NULL, "exchangeTimestamp" varchar(19), "orderEventId" integer, "createdAt" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_a571eab44139efcd4958b9b00f" ON "fills" ("orderId") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_fills_order_cumulative" ON "fills" ("orderId", "cumulativeQuantity") `);
    await queryRunner.query(
      `CREATE TABLE "order_events" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "orderId" varchar(32) NOT NULL, "type" varchar(32) NOT NULL, "status" varchar(40) NOT NULL, "filledQuantity" integer NOT NULL, "source" varchar(16) NOT NULL, "inboxId" integer, "payload" text NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "dispatchedAt" datetime)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_74f8a596c01980f8e99f503c27" ON "order_events" ("orderId") `);
    await queryRunner.query(`CREATE INDEX "IDX_order_events_undispatched" ON "order_events" ("dispatchedAt", "id") `);
    await queryRunner.query(
      `CREATE TABLE "orders" ("orderId" varchar(32) PRIMARY KEY NOT NULL, "status" varchar(40) NOT NULL, "statusMessage" text, "exchange" varchar(16), "tradingsymbol" varchar(64), "transactionType" varchar(8), "orderType" varchar(8), "product" varchar(8), "variety" varchar(16), "tag" varchar(32), "quantity" integer NOT NULL DEFAULT (0), "filledQuantity" integer NOT NULL DEFAULT (0), "pendingQuantity" integer NOT NULL DEFAULT (0), "cancelledQuantity" integer NOT NULL DEFAULT (0), "price" double precision NOT NULL DEFAULT (0), "triggerPrice" double precision NOT NULL DEFAULT (0), "averagePrice" double precision NOT NULL DEFAULT (0), "orderTimestamp" varchar(19), "exchangeUpdateTimestamp" varchar(19), "lastPayload" text NOT NULL, "version" integer NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_bcf43292e5f3a2ef1524649c3e" ON "orders" ("tradingsymbol") `);
    await queryRunner.query(`CREATE INDEX "IDX_4dec49e468507a506d651c5bd0" ON "orders" ("tag") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) return runOnPostgres(queryRunner, this.name, 'down');
    await queryRunner.query(`DROP INDEX "IDX_4dec49e468507a506d651c5bd0"`);
    await queryRunner.query(`DROP INDEX "IDX_bcf43292e5f3a2ef1524649c3e"`);
    await queryRunner.query(`DROP TABLE "orders"`);
    await queryRunner.query(`DROP INDEX "IDX_order_events_undispatched"`);
    await queryRunner.query(`DROP INDEX "IDX_74f8a596c01980f8e99f503c27"`);
    await queryRunner.query(`DROP TABLE "order_events"`);
    await queryRunner.query(`DROP INDEX "UQ_fills_order_cumulative"`);
    await queryRunner.query(`DROP INDEX "IDX_a571eab44139efcd4958b9b00f"`);
    await queryRunner.query(`DROP TABLE "fills"`);
    await queryRunner.query(`DROP INDEX "IDX_inbox_pending"`);
    await queryRunner.query(`DROP INDEX "IDX_7b0d4f403b0c1132093b1d9434"`);
    await queryRunner.query(`DROP TABLE "inbox"`);
  }
}
