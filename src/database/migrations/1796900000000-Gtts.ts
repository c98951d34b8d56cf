import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { portableColumns } from './portable-columns';

/** GTTs legwork places for strategies (src/gtt): exactly-once key, claims, Kite's trigger id and status. */
export class Gtts1796900000000 implements MigrationInterface {
  name = 'Gtts1796900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'gtts',
        columns: [
          c.id(),
          c.varchar('strategy', 64),
          c.varchar('chainId', 64),
          c.varchar('parentOrderId', 32),
          c.varchar('name', 48),
          c.varchar('type', 8),
          c.varchar('exchange', 16),
          c.varchar('tradingsymbol', 64),
          c.text('request'),
          c.varchar('status', 16),
          { ...c.integer('triggerId', { nullable: true }), isUnique: true },
          c.integer('attempts', { default: 0 }),
          c.varchar('errorType', 32, true),
          c.text('lastError', true),
          c.varchar('claimedBy', 96, true),
          c.timestamp('claimExpiresAt'),
          c.timestamp('unclearAt'),
          c.boolean('deleteRequested', false),
          c.varchar('kiteUpdatedAt', 19, true),
          c.integer('triggerEventId', { nullable: true }),
          c.recordedAt('createdAt'),
          c.recordedAt('updatedAt'),
        ],
      }),
    );
    await queryRunner.createIndex('gtts', new TableIndex({ name: 'UQ_gtts_key', columnNames: ['strategy', 'parentOrderId', 'name'], isUnique: true }));
    await queryRunner.createIndex('gtts', new TableIndex({ name: 'IDX_gtts_strategy', columnNames: ['strategy'] }));
    await queryRunner.createIndex('gtts', new TableIndex({ name: 'IDX_gtts_tradingsymbol', columnNames: ['tradingsymbol'] }));
    await queryRunner.createIndex('gtts', new TableIndex({ name: 'IDX_gtts_status', columnNames: ['status'] }));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('gtts');
  }
}
