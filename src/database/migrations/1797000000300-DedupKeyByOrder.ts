import { MigrationInterface, QueryRunner } from 'typeorm';
import { onPostgres } from '../postgres/postgres-migrations';

/**
 * Inbox dedup keys become `<order id>:<hash>` (see dedup-key.ts: the unique index's inserts stay together instead of
 * landing on random pages). Keys stored before are rewritten the same way, so a repeat of an update acknowledged
 * before the upgrade is still recognised. The column grows to hold the order id (PostgreSQL checks the length;
 * SQLite does not, its declared type stays). Portable SQL otherwise.
 */
export class DedupKeyByOrder1797000000300 implements MigrationInterface {
  name = 'DedupKeyByOrder1797000000300';

  public async up(queryRunner: QueryRunner): Promise<void> {
    if (onPostgres(queryRunner)) await queryRunner.query(`ALTER TABLE "inbox" ALTER COLUMN "dedupKey" TYPE varchar(100)`);
    await queryRunner.query(`UPDATE "inbox" SET "dedupKey" = "orderId" || ':' || "dedupKey" WHERE "dedupKey" NOT LIKE '%:%'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "inbox" SET "dedupKey" = substr("dedupKey", length("orderId") + 2) WHERE "dedupKey" LIKE '%:%'`);
    if (onPostgres(queryRunner)) await queryRunner.query(`ALTER TABLE "inbox" ALTER COLUMN "dedupKey" TYPE varchar(64)`);
  }
}
