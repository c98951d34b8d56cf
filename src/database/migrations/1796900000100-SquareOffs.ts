import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { portableColumns } from './portable-columns';

/** Timed square-offs (src/square-off): one row per strategy and trading day. */
export class SquareOffs1796900000100 implements MigrationInterface {
  name = 'SquareOffs1796900000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'square_offs',
        columns: [
          c.id(),
          c.varchar('strategy', 64),
          c.varchar('tradingDay', 10),
          c.varchar('dueAt', 5),
          c.varchar('status', 16),
          c.varchar('claimedBy', 96, true),
          c.timestamp('claimExpiresAt'),
          c.text('summary', true),
          c.timestamp('finishedAt'),
          c.recordedAt('createdAt'),
          c.recordedAt('updatedAt'),
        ],
      }),
    );
    await queryRunner.createIndex('square_offs', new TableIndex({ name: 'UQ_square_offs_day', columnNames: ['strategy', 'tradingDay'], isUnique: true }));
    await queryRunner.createIndex('square_offs', new TableIndex({ name: 'IDX_square_offs_status', columnNames: ['status'] }));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('square_offs');
  }
}
