import * as fs from 'node:fs';
import { closeSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';
import { bindSqliteNumbers } from './sqlite-bound-numbers';
import { sqliteConnectionOf } from './sqlite-connection';
import { WalCheckpointer } from './wal-checkpointer';

export interface SqliteSettings {
  path: string;
  synchronous: 'FULL' | 'NORMAL';
}

/**
 * TypeORM options for the SQLite trade log. SQLite-only pragmas live here and nowhere else, so the entities and
 * queries stay portable to PostgreSQL. `entities`: none for the engine (each feature module registers its own,
 * autoLoadEntities); the root's ENTITIES (src/entities.ts) for the TypeORM CLI and tools that open the file alone.
 */
export function sqliteDataSourceOptions(settings: SqliteSettings, entities: NonNullable<DataSourceOptions['entities']> = []): DataSourceOptions {
  if (settings.path !== ':memory:') mkdirSync(dirname(settings.path), { recursive: true });
  bindSqliteNumbers();
  return {
    type: 'better-sqlite3',
    database: settings.path,
    entities,
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
  /**
   * Resolves once everything committed before the call is on stable storage. Called right after a COMMIT returned;
   * the fdatasync runs on libuv's thread pool, so the event loop keeps taking requests (and committing) meanwhile.
   */
  sync(): Promise<void>;
  close(): Promise<void>;
}

type Fdatasync = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

/**
 * SQLite at synchronous=FULL fsyncs the WAL inside every COMMIT, on the thread that commits — with better-sqlite3,
 * the event loop. Instead the engine's connection runs at NORMAL (WAL keeps every commit crash-safe and the file
 * consistent) and a durable write calls sync() right after its COMMIT: one fdatasync of the WAL, off the event loop,
 * which puts that commit and every earlier one on stable storage — what FULL's COMMIT does. Checkpoints at NORMAL
 * sync the WAL before and the database after copying, so frames they move stay durable.
 *
 * Group commit: one fdatasync is in flight at a time. A sync asked for while one runs cannot rely on it (it may
 * have started before the caller's COMMIT), so it waits for the next one, which every caller arriving meanwhile
 * shares. Only this connection changes: other processes opening the file (the CLI) keep the level they ask for.
 * Other databases: nothing to do.
 */
export async function commitSync(dataSource: DataSource, fdatasync: Fdatasync = fs.fdatasync): Promise<CommitSync> {
  const nothing = { sync: () => Promise.resolve(), close: () => Promise.resolve() };
  if (dataSource.options.type !== 'better-sqlite3') return { mode: 'database', ...nothing };
  const [{ synchronous }] = await dataSource.query<Array<{ synchronous: number }>>('PRAGMA synchronous');
  const file = dataSource.options.database;
  if (file === ':memory:' || file === '') return { mode: 'off', ...nothing };
  const connection = sqliteConnectionOf(dataSource)!;
  const checkpointer = new WalCheckpointer(file, connection);
  if (synchronous < 2) return { mode: 'off', sync: nothing.sync, close: () => checkpointer.stop() };
  connection.pragma('synchronous = NORMAL');
  return new WalSync(`${file}-wal`, fdatasync, checkpointer);
}

class WalSync implements CommitSync {
  readonly mode = 'wal' as const;
  private fd: number | null = null;
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(
    private readonly wal: string,
    private readonly fdatasync: Fdatasync,
    private readonly checkpointer: WalCheckpointer,
  ) {}

  sync(): Promise<void> {
    if (this.next) return this.next;
    if (!this.running) return this.begin();
    const after = this.running.then(
      () => undefined,
      () => undefined,
    );
    this.next = after.then(() => {
      this.next = null;
      return this.begin();
    });
    return this.next;
  }

  async close(): Promise<void> {
    this.closeWal();
    await this.checkpointer.stop();
  }

  private closeWal(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private begin(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      // The WAL lives as long as the connection; reopened should SQLite ever have replaced it (after a full checkpoint).
      if (this.fd !== null && fstatSync(this.fd).nlink === 0) this.closeWal();
      this.fd ??= openSync(this.wal, 'r');
      this.fdatasync(this.fd, (error) => (error ? reject(error) : resolve()));
    });
    this.running = done;
    const clear = () => {
      if (this.running === done) this.running = null;
    };
    done.then(clear, clear);
    return done;
  }
}
