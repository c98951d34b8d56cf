import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableColumns } from './portable-columns';

/**
 * The leader's lease (src/leadership): one row per role ('engine'), its holder, the fencing epoch (raised at every
 * change of holder) and when the lease runs out by the database's clock. Used on PostgreSQL (several instances);
 * created on SQLite too so both schemas stay the same.
 */
export class Leadership1797000000000 implements MigrationInterface {
  name = 'Leadership1797000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'leadership',
        columns: [{ ...c.varchar('id', 16), isPrimary: true }, c.varchar('holder', 96), c.integer('epoch'), c.timestamp('expiresAt', false)],
      }),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('leadership');
  }
}
