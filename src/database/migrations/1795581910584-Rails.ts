import { MigrationInterface, QueryRunner } from 'typeorm';
import { onPostgres, runOnPostgres } from '../postgres/postgres-migrations';

export class Rails1795581910584 implements MigrationInterface {
  name = 'Rails1795581910584';

  public async up(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) return runOnPostgres(queryRunner, this.name, 'up');
    await queryRunner.query(
      `CREATE TABLE "kill_switch" ("id" varchar(16) PRIMARY KEY NOT NULL, "tripped" boolean NOT NULL DEFAULT (0), "reason" text, "changedBy" varchar(64), "changedAt" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `CREATE TABLE "order_actions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "action" varchar(16) NOT NULL, "orderId" varchar(32), "strategy" varchar(64), "tradingDay" varchar(10) NOT NULL, "at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_ba2dbd64497ef3c72e22361a39" ON "order_actions" ("orderId") `);
    await queryRunner.query(`CREATE INDEX "IDX_order_actions_day" ON "order_actions" ("tradingDay", "action") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) return runOnPostgres(queryRunner, this.name, 'down');
    await queryRunner.query(`DROP INDEX "IDX_order_actions_day"`);
    await queryRunner.query(`DROP INDEX "IDX_ba2dbd64497ef3c72e22361a39"`);
    await queryRunner.query(`DROP TABLE "order_actions"`);
    await queryRunner.query(`DROP TABLE "kill_switch"`);
  }
}
