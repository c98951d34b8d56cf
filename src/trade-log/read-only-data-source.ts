import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { preparedOn } from '../database/postgres/migrate-locked';

/** The trade-log file is missing, unreadable, or not a legwork trade log. */
export class TradeLogOpenError extends Error {}

const REQUIRED_TABLES = ['orders', 'order_events', 'fills', 'legs'];
const POSTGRES_URL = /^postgres(ql)?:\/\//;

/** Where the CLI reads the trade log: --db (a file or a postgres:// URL), else DATABASE_URL, else the DATABASE_PATH file. */
export function tradeLogLocation(db: string | undefined, env: Record<string, string | undefined>, fallback: string): string {
  const location = db ?? env.DATABASE_URL ?? env.DATABASE_PATH ?? fallback;
  return POSTGRES_URL.test(location) ? location : resolve(location);
}

/** The trade log on PostgreSQL, in read-only transactions (the server refuses any write from this connection). */
async function openPostgresReadOnly(url: string, entities: DataSourceOptions['entities']): Promise<DataSource> {
  const where = new URL(url);
  const name = `${where.host}${where.pathname}`; // never the password
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities,
    migrationsRun: false,
    synchronize: false,
    extra: { max: 2, allowExitOnIdle: true, options: '-c default_transaction_read_only=on', application_name: 'legwork-cli' },
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new TradeLogOpenError(`cannot open trade log on PostgreSQL ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return preparedOn(dataSource, async (runner) => {
    const missing: string[] = [];
    for (const table of REQUIRED_TABLES) if (!(await runner.hasTable(table))) missing.push(table);
    if (missing.length > 0)
      throw new TradeLogOpenError(`${name} is not a legwork trade log (missing tables: ${missing.join(', ')}); start the engine once on it to migrate it`);
  });
}

/**
 * Opens a trade-log file (or a postgres:// URL) READ-ONLY (for the CLI): no migrations, no WAL switch, no writes possible, and a missing
 * file is an error rather than a new empty database. `entities`: the caller's (the CLIs pass the root's ENTITIES). Safe while the engine is running (WAL: readers never block it).
 */
export async function openTradeLogReadOnly(path: string, entities: DataSourceOptions['entities']): Promise<DataSource> {
  if (POSTGRES_URL.test(path)) return openPostgresReadOnly(path, entities);
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new TradeLogOpenError(`trade log not found: ${file}\n(set DATABASE_PATH or pass --db <path>; the engine creates the file at its first start)`);
  }
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: file,
    readonly: true,
    fileMustExist: true,
    entities,
    migrationsRun: false,
    synchronize: false,
    enableWAL: false,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('busy_timeout = 5000');
    },
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new TradeLogOpenError(`cannot open trade log ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const missing: string[] = [];
    const runner = dataSource.createQueryRunner();
    try {
      for (const table of REQUIRED_TABLES) if (!(await runner.hasTable(table))) missing.push(table);
    } finally {
      await runner.release();
    }
    if (missing.length > 0) {
      throw new TradeLogOpenError(
        `${file} is not a legwork trade log, or predates this version (missing tables: ${missing.join(', ')}); start the engine once on it to migrate it`,
      );
    }
  } catch (error) {
    await dataSource.destroy();
    if (error instanceof TradeLogOpenError) throw error;
    throw new TradeLogOpenError(`cannot read trade log ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return dataSource;
}
