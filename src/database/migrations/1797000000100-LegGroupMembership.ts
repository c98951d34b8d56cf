import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { portableColumns } from './portable-columns';

/**
 * A leg's group is a column (legs.groupId), no longer read from its name (`<group>/<leg>`, `<group>/<leg>:unwind`).
 * Legs recorded before are given theirs from that convention: the group of the same strategy and parent order named
 * like the leg up to its first `/`. Portable: the Table API adds the column, the backfill is plain SQL.
 */
export class LegGroupMembership1797000000100 implements MigrationInterface {
  name = 'LegGroupMembership1797000000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('legs', new TableColumn(portableColumns(queryRunner).integer('groupId', { nullable: true })));
    await queryRunner.query(
      `UPDATE "legs" SET "groupId" = (
         SELECT "g"."id" FROM "leg_groups" "g"
         WHERE "g"."strategy" = "legs"."strategy" AND "g"."parentOrderId" = "legs"."parentOrderId" AND "g"."name" NOT LIKE '%/%'
           AND substr("legs"."legName", 1, length("g"."name") + 1) = "g"."name" || '/'
       )
       WHERE "legs"."legName" LIKE '%/%'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('legs', 'groupId');
  }
}
