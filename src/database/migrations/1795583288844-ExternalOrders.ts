import { MigrationInterface, QueryRunner } from 'typeorm';
import { onPostgres, runOnPostgres } from '../postgres/postgres-migrations';

export class ExternalOrders1795583288844 implements MigrationInterface {
  name = 'ExternalOrders1795583288844';

  public async up(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) return runOnPostgres(queryRunner, this.name, 'up');
    await queryRunner.query(
      `CREATE TABLE "external_orders" ("orderId" varchar(32) PRIMARY KEY NOT NULL, "tag" varchar(32), "tradingsymbol" varchar(64), "transactionType" varchar(8), "firstSource" varchar(16) NOT NULL, "tradingDay" varchar(10) NOT NULL, "firstSeenAt" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_f2a06719f101db93391610d1da" ON "external_orders" ("tradingDay") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) return runOnPostgres(queryRunner, this.name, 'down');
    await queryRunner.query(`DROP INDEX "IDX_f2a06719f101db93391610d1da"`);
    await queryRunner.query(`DROP TABLE "external_orders"`);
  }
}
