import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

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
  return {
    type: 'better-sqlite3',
    database: settings.path,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    // WAL: readers (trade-log page, CLI) never block the ingress writer.
    enableWAL: true,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      // FULL: a commit is on disk before the postback gets its 200, even across power loss.
      db.pragma(`synchronous = ${settings.synchronous}`);
      // Another process (the CLI) may hold the write lock briefly; wait instead of failing.
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
  };
}

/**
 * Statements around a transaction whose commit need not wait for stable storage (see WriteOptions.durable).
 * SQLite at synchronous=FULL: NORMAL for that commit (WAL keeps it crash-safe), then FULL again.
 */
export async function relaxedCommitStatements(dataSource: DataSource): Promise<{ before: string[]; after: string[] }> {
  if (dataSource.options.type !== 'better-sqlite3') return { before: [], after: [] };
  const [{ synchronous }] = (await dataSource.query('PRAGMA synchronous')) as Array<{ synchronous: number }>;
  return synchronous >= 2 ? { before: ['PRAGMA synchronous = NORMAL'], after: [`PRAGMA synchronous = ${synchronous}`] } : { before: [], after: [] };
}
