import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { bindSqliteNumbers } from './sqlite-bound-numbers';

export interface SqliteSettings {
  path: string;
  synchronous: 'FULL' | 'NORMAL';
}

/**
 * TypeORM options for the SQLite trade log. SQLite-only pragmas live here and nowhere else, so the entities and
 * queries stay portable to PostgreSQL.
 */
export function sqliteDataSourceOptions(settings: SqliteSettings): DataSourceOptions {
  if (settings.path !== ':memory:') mkdirSync(dirname(settings.path), { recursive: true });
  bindSqliteNumbers();
  return {
    type: 'better-sqlite3',
    database: settings.path,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    // WAL: readers (trade-log page, CLI) never block the ingress writer.
    enableWAL: true,
    // Prepared statements kept per SQL text. Multi-row inserts and IN lists vary with chunk size, so the default
    // (100, FIFO) kept re-preparing the hot statements; a few hundred more cached statements cost little memory.
    statementCacheSize: 1000,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      // FULL: a commit is on disk before the postback gets its 200, even across power loss.
      db.pragma(`synchronous = ${settings.synchronous}`);
      // Another process (the CLI) may hold the write lock briefly; wait instead of failing.
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
  };
}

/** Switches around a transaction whose commit need not wait for stable storage (see WriteOptions.durable). */
export interface RelaxedCommit {
  before(): void;
  after(): void;
}

/**
 * SQLite at synchronous=FULL: NORMAL for that commit (WAL keeps it crash-safe), then FULL again. Set on the
 * driver's connection directly: two pragmas per derived transaction, which through the ORM cost as much as the
 * transaction's own statements. Other databases: nothing to switch.
 */
export async function relaxedCommit(dataSource: DataSource): Promise<RelaxedCommit> {
  const none = { before: () => undefined, after: () => undefined };
  if (dataSource.options.type !== 'better-sqlite3') return none;
  const [{ synchronous }] = (await dataSource.query('PRAGMA synchronous')) as Array<{ synchronous: number }>;
  if (synchronous < 2) return none;
  const connection = (dataSource.driver as unknown as { databaseConnection: { pragma(source: string): unknown } }).databaseConnection;
  return {
    before: () => void connection.pragma('synchronous = NORMAL'),
    after: () => void connection.pragma(`synchronous = ${synchronous}`),
  };
}
