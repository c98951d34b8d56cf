import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
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
