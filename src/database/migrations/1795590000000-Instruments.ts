import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The instrument master (src/instruments). Written with TypeORM's schema builder rather than SQL text so the same
 * migration creates the tables on SQLite and PostgreSQL; only the timestamp type differs by dialect.
 */
export class Instruments1795590000000 implements MigrationInterface {
  name = 'Instruments1795590000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.driver.options.type === 'postgres' ? 'timestamp without time zone' : 'datetime';
    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    await queryRunner.createTable(
      new Table({
        name: 'instrument_lists',
        columns: [
          id,
          { name: 'listDay', type: 'varchar', length: '10' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'trigger', type: 'varchar', length: '16' },
          { name: 'exchanges', type: 'varchar', length: '255', default: "''" },
          { name: 'rows', type: 'integer', default: 0 },
          { name: 'startedAt', type: timestamp },
          { name: 'completedAt', type: timestamp, isNullable: true },
        ],
        indices: [new TableIndex({ name: 'IDX_instrument_lists_status', columnNames: ['status', 'id'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'instruments',
        columns: [
          id,
          { name: 'listId', type: 'integer' },
          { name: 'exchange', type: 'varchar', length: '16' },
          { name: 'tradingsymbol', type: 'varchar', length: '64' },
          { name: 'instrumentToken', type: 'bigint' },
          { name: 'exchangeToken', type: 'bigint' },
          { name: 'name', type: 'varchar', length: '255' },
          { name: 'segment', type: 'varchar', length: '32' },
          { name: 'instrumentType', type: 'varchar', length: '16' },
          { name: 'expiry', type: 'varchar', length: '10', isNullable: true },
          { name: 'strike', type: 'double precision', isNullable: true },
          { name: 'lotSize', type: 'integer' },
          { name: 'tickSize', type: 'double precision' },
          { name: 'lastPrice', type: 'double precision', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'UQ_instruments_list_key', columnNames: ['listId', 'exchange', 'tradingsymbol'], isUnique: true }),
          new TableIndex({ name: 'IDX_instruments_list_token', columnNames: ['listId', 'instrumentToken'] }),
          new TableIndex({ name: 'IDX_instruments_list_options', columnNames: ['listId', 'name', 'instrumentType', 'expiry', 'strike'] }),
        ],
      }),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('instruments');
    await queryRunner.dropTable('instrument_lists');
  }
}
