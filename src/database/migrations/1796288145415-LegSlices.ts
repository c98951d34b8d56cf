import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Legs above the freeze limit are sent as slices: one row per slice beside the leg's own row, so the unique key now
 * includes the slice. Portable SQL (SQLite and PostgreSQL): columns added in place, the unique index rebuilt.
 */
export class LegSlices1796288145415 implements MigrationInterface {
  name = 'LegSlices1796288145415';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "legs" ADD COLUMN "slice" integer NOT NULL DEFAULT (0)`);
    await queryRunner.query(`ALTER TABLE "legs" ADD COLUMN "slices" integer NOT NULL DEFAULT (0)`);
    await queryRunner.query(`ALTER TABLE "legs" ADD COLUMN "sliceOf" integer`);
    await queryRunner.query(`ALTER TABLE "legs" ADD COLUMN "slicing" varchar(16)`);
    await queryRunner.query(`ALTER TABLE "legs" ADD COLUMN "autosliceParentId" varchar(32)`);
    await queryRunner.query(`DROP INDEX "UQ_legs_key"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_legs_key" ON "legs" ("strategy", "parentOrderId", "legName", "slice")`);
    await queryRunner.query(`CREATE INDEX "IDX_legs_sliceOf" ON "legs" ("sliceOf")`);
    await queryRunner.query(`CREATE INDEX "IDX_legs_autosliceParentId" ON "legs" ("autosliceParentId")`);
  }

  /** Back to one row per leg: slice rows are deleted (their orders stay in the order log). */
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "legs" WHERE "slice" > 0`);
    await queryRunner.query(`DROP INDEX "IDX_legs_autosliceParentId"`);
    await queryRunner.query(`DROP INDEX "IDX_legs_sliceOf"`);
    await queryRunner.query(`DROP INDEX "UQ_legs_key"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_legs_key" ON "legs" ("strategy", "parentOrderId", "legName")`);
    for (const column of ['autosliceParentId', 'slicing', 'sliceOf', 'slices', 'slice']) await queryRunner.query(`ALTER TABLE "legs" DROP COLUMN "${column}"`);
  }
}
