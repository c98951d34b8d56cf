import { MigrationInterface, QueryRunner } from 'typeorm';
import { onPostgres, runOnPostgres } from '../postgres/postgres-migrations';

export class LegGroups1795582314835 implements MigrationInterface {
  name = 'LegGroups1795582314835';

  public async up(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) return runOnPostgres(queryRunner, this.name, 'up');
    await queryRunner.query(
      `CREATE TABLE "leg_groups" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "strategy" varchar(64) NOT NULL, "parentOrderId" varchar(32) NOT NULL, "name" varchar(48) NOT NULL, "direction" varchar(8) NOT NULL, "status" varchar(16) NOT NULL, "spec" text NOT NULL, "deadline" datetime NOT NULL, "reason" text, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_0fab2522b32a991e8bc3429f23" ON "leg_groups" ("status") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_leg_groups_key" ON "leg_groups" ("strategy", "parentOrderId", "name") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) return runOnPostgres(queryRunner, this.name, 'down');
    await queryRunner.query(`DROP INDEX "UQ_leg_groups_key"`);
    await queryRunner.query(`DROP INDEX "IDX_0fab2522b32a991e8bc3429f23"`);
    await queryRunner.query(`DROP TABLE "leg_groups"`);
  }
}
