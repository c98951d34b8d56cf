import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableColumns } from './portable-columns';

/** Positions checks (src/positions): legwork's net quantity per instrument against Kite's positions. */
export class PositionsChecks1796900000200 implements MigrationInterface {
  name = 'PositionsChecks1796900000200';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'positions_checks',
        columns: [c.id(), c.varchar('tradingDay', 10), c.varchar('trigger', 16), c.integer('mismatches'), c.text('lines'), c.recordedAt('checkedAt')],
      }),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('positions_checks');
  }
}
