import { closeSync, fdatasyncSync, fstatSync, mkdirSync, openSync } from 'node:fs';
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

/** Makes what was committed before the call durable (see WriteOptions.durable). */
export interface CommitSync {
  /** 'wal': fdatasync of the WAL file; 'database': a commit is durable when it returns (server databases); 'off': SQLite at NORMAL by choice, or in memory. */
  readonly mode: 'wal' | 'database' | 'off';
  sync(): void;
  close(): void;
}

/**
 * SQLite at synchronous=FULL fsyncs the WAL inside every COMMIT. legwork commits most transactions without that
 * (order state and marks are derived from the durable inbox), which used to mean two PRAGMA switches around each of
 * them. Instead the engine's connection runs at NORMAL (WAL keeps every commit crash-safe and the file consistent)
 * and a durable write calls sync() right after its COMMIT: one fdatasync of the WAL, which puts that commit and every
 * earlier one on stable storage, exactly what FULL's COMMIT does. Checkpoints at NORMAL sync the WAL before and the
 * database after copying, so frames they move stay durable. Only this connection changes: other processes opening
 * the file (the CLI) keep the level they ask for. Other databases: nothing to do.
 */
export async function commitSync(dataSource: DataSource, fdatasync: (fd: number) => void = fdatasyncSync): Promise<CommitSync> {
  const nothing = { sync: () => undefined, close: () => undefined };
  if (dataSource.options.type !== 'better-sqlite3') return { mode: 'database', ...nothing };
  const [{ synchronous }] = (await dataSource.query('PRAGMA synchronous')) as Array<{ synchronous: number }>;
  const file = dataSource.options.database;
  if (synchronous < 2 || file === ':memory:' || file === '') return { mode: 'off', ...nothing };
  const connection = (dataSource.driver as unknown as { databaseConnection: { pragma(source: string): unknown } }).databaseConnection;
  connection.pragma('synchronous = NORMAL');
  const wal = `${file}-wal`;
  let fd: number | null = null;
  return {
    mode: 'wal',
    sync: () => {
      // The WAL lives as long as the connection; reopened should SQLite ever have replaced it (after a full checkpoint).
      if (fd !== null && fstatSync(fd).nlink === 0) {
        closeSync(fd);
        fd = null;
      }
      fd ??= openSync(wal, 'r');
      fdatasync(fd);
    },
    close: () => {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
