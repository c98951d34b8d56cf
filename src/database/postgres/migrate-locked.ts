import { DataSource, DataSourceOptions, QueryRunner } from 'typeorm';

/** Any constant: the advisory lock key under which one instance at a time migrates a shared database. */
const MIGRATION_LOCK = 0x6c65_6777; // "legw"

/**
 * Opens a DataSource. On PostgreSQL the migrations run under a session advisory lock, not through migrationsRun:
 * instances started together against one database would otherwise race to create the same tables (TypeORM takes no
 * lock of its own); the second one waits, then finds nothing left to run.
 */
export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  if (options.type !== 'postgres' || !options.migrationsRun) return new DataSource(options).initialize();
  const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
  return preparedOn(dataSource, async (runner) => {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await dataSource.runMigrations({ transaction: 'all' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  });
}

/**
 * Runs `work` on one connection of a data source just opened (migrating it, checking its tables) and returns the data
 * source; if `work` fails, the data source is closed again, so nothing is left open, and the error is rethrown.
 */
export async function preparedOn(dataSource: DataSource, work: (runner: QueryRunner) => Promise<void>): Promise<DataSource> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await work(runner);
  } catch (error) {
    await runner.release();
    await dataSource.destroy();
    throw error;
  }
  await runner.release();
  return dataSource;
}
