import { MigrationInterface, QueryRunner } from 'typeorm';
import { onPostgres, runOnPostgres } from '../postgres/postgres-migrations';

export class KiteSessions1795574596883 implements MigrationInterface {
  name = 'KiteSessions1795574596883';

  public async up(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) return runOnPostgres(queryRunner, this.name, 'up');
    await queryRunner.query(
      `CREATE TABLE "kite_sessions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "userId" varchar(32) NOT NULL, "accessToken" text NOT NULL, "loginTime" varchar(19), "expiresAt" datetime NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) return runOnPostgres(queryRunner, this.name, 'down');
    await queryRunner.query(`DROP TABLE "kite_sessions"`);
  }
}
