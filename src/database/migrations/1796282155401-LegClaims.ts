import { MigrationInterface, QueryRunner } from 'typeorm';
import { onPostgres, runOnPostgres } from '../postgres/postgres-migrations';

/** Legs: claims (claimedBy, claimExpiresAt) so one instance at a time sends a leg, unclearAt for the settle window, reducesRisk for the kill switch. */

export class LegClaims1796282155401 implements MigrationInterface {
  name = 'LegClaims1796282155401';

  public async up(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) return runOnPostgres(queryRunner, this.name, 'up');
    await queryRunner.query(`DROP INDEX "UQ_legs_key"`);
    await queryRunner.query(`DROP INDEX "IDX_b00676bcda2e2e45c198675e43"`);
    await queryRunner.query(`DROP INDEX "IDX_ec3287d6ccef036378fda8b369"`);
    await queryRunner.query(`DROP INDEX "IDX_14a90cf09b991f3cda7d94f7d0"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_legs" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "strategy" varchar(64) NOT NULL, "chainId" varchar(64) NOT NULL, "parentOrderId" varchar(32) NOT NULL, "legName" varchar(64) NOT NULL, "tag" varchar(20) NOT NULL, "status" varchar(16) NOT NULL, "orderId" varchar(32), "request" text NOT NULL, "triggerEventId" integer, "attempts" integer NOT NULL DEFAULT (0), "errorType" varchar(32), "lastError" text, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "claimedBy" varchar(96), "claimExpiresAt" datetime, "unclearAt" datetime, "reducesRisk" boolean NOT NULL DEFAULT (0), CONSTRAINT "UQ_fa311e098f6cfcc663f4d882f1c" UNIQUE ("tag"))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_legs"("id", "strategy", "chainId", "parentOrderId", "legName", "tag", "status", "orderId", "request", "triggerEventId", "attempts", "errorType", "lastError", "createdAt", "updatedAt") SELECT "id", "strategy", "chainId", "parentOrderId", "legName", "tag", "status", "orderId", "request", "triggerEventId", "attempts", "errorType", "lastError", "createdAt", "updatedAt" FROM "legs"`,
    );
    await queryRunner.query(`DROP TABLE "legs"`);
    await queryRunner.query(`ALTER TABLE "temporary_legs" RENAME TO "legs"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_legs_key" ON "legs" ("strategy", "parentOrderId", "legName") `);
    await queryRunner.query(`CREATE INDEX "IDX_b00676bcda2e2e45c198675e43" ON "legs" ("orderId") `);
    await queryRunner.query(`CREATE INDEX "IDX_ec3287d6ccef036378fda8b369" ON "legs" ("chainId") `);
    await queryRunner.query(`CREATE INDEX "IDX_14a90cf09b991f3cda7d94f7d0" ON "legs" ("strategy") `);
    await queryRunner.query(`CREATE INDEX "IDX_6a8c09be6876b89a13d80a7759" ON "legs" ("status") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) return runOnPostgres(queryRunner, this.name, 'down');
    await queryRunner.query(`DROP INDEX "IDX_6a8c09be6876b89a13d80a7759"`);
    await queryRunner.query(`DROP INDEX "IDX_14a90cf09b991f3cda7d94f7d0"`);
    await queryRunner.query(`DROP INDEX "IDX_ec3287d6ccef036378fda8b369"`);
    await queryRunner.query(`DROP INDEX "IDX_b00676bcda2e2e45c198675e43"`);
    await queryRunner.query(`DROP INDEX "UQ_legs_key"`);
    await queryRunner.query(`ALTER TABLE "legs" RENAME TO "temporary_legs"`);
    await queryRunner.query(
      `CREATE TABLE "legs" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "strategy" varchar(64) NOT NULL, "chainId" varchar(64) NOT NULL, "parentOrderId" varchar(32) NOT NULL, "legName" varchar(64) NOT NULL, "tag" varchar(20) NOT NULL, "status" varchar(16) NOT NULL, "orderId" varchar(32), "request" text NOT NULL, "triggerEventId" integer, "attempts" integer NOT NULL DEFAULT (0), "errorType" varchar(32), "lastError" text, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_fa311e098f6cfcc663f4d882f1c" UNIQUE ("tag"))`,
    );
    await queryRunner.query(
      `INSERT INTO "legs"("id", "strategy", "chainId", "parentOrderId", "legName", "tag", "status", "orderId", "request", "triggerEventId", "attempts", "errorType", "lastError", "createdAt", "updatedAt") SELECT "id", "strategy", "chainId", "parentOrderId", "legName", "tag", "status", "orderId", "request", "triggerEventId", "attempts", "errorType", "lastError", "createdAt", "updatedAt" FROM "temporary_legs"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_legs"`);
    await queryRunner.query(`CREATE INDEX "IDX_14a90cf09b991f3cda7d94f7d0" ON "legs" ("strategy") `);
    await queryRunner.query(`CREATE INDEX "IDX_ec3287d6ccef036378fda8b369" ON "legs" ("chainId") `);
    await queryRunner.query(`CREATE INDEX "IDX_b00676bcda2e2e45c198675e43" ON "legs" ("orderId") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_legs_key" ON "legs" ("strategy", "parentOrderId", "legName") `);
  }
}
