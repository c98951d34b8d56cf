import type { Database } from 'better-sqlite3';
import type { DataSource } from 'typeorm';

/**
 * The better-sqlite3 connection TypeORM opened for a SQLite data source — the engine's one writer, which the hot-path
 * store, prepared queries and durable commits use directly — or null on another database. TypeORM does not type it.
 */
export function sqliteConnectionOf(dataSource: DataSource): Database | null {
  return dataSource.options.type === 'better-sqlite3' ? (dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection : null;
}
