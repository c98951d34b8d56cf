import type { DataSourceOptions } from 'typeorm';
import { sqliteDataSourceOptions, SqliteSettings } from '../data-source.options';
import { MIGRATIONS } from '../migrations';

export interface DatabaseSettings extends SqliteSettings {
  /** DATABASE_URL: PostgreSQL when set. */
  url?: string;
}

/** PostgreSQL's type id for `timestamp` (without time zone). */
const TIMESTAMP_OID = 1114;

/**
 * The trade log's timestamps are `timestamp` columns holding UTC, as SQLite's datetime('now') and the migrations'
 * `now() AT TIME ZONE 'utc'` write them. node-postgres writes a Date and reads such a column in the process's local
 * time, so on a machine set to IST every Date the engine wrote (claim expiries, receivedAt, ...) sat 5 h 30 min away
 * from the rows the database stamped. Both directions go through UTC instead (settings of the pg module, the only
 * PostgreSQL client in the process).
 */
function timestampsInUtc(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- pg ships no types here (no @types/pg) and is reached only through TypeORM
  const pg = require('pg') as {
    defaults: { parseInputDatesAsUTC: boolean };
    types: { setTypeParser(oid: number, parse: (text: string) => unknown): void };
  };
  pg.defaults.parseInputDatesAsUTC = true;
  pg.types.setTypeParser(TIMESTAMP_OID, (text) => new Date(`${text.replace(' ', 'T')}Z`));
}

/**
 * TypeORM options for PostgreSQL (the `pg` driver): the same entities and migrations as SQLite. Durability is the
 * server's (a COMMIT returns once it is in PostgreSQL's WAL), so no fsync of our own.
 */
export function postgresDataSourceOptions(url: string, entities: NonNullable<DataSourceOptions['entities']> = []): DataSourceOptions {
  timestampsInUtc();
  return {
    type: 'postgres',
    url,
    entities,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    // Several instances start at once against one database: only one runs the migrations, the others wait for it.
    migrationsTransactionMode: 'all',
    extra: {
      max: 10,
      // The pool must not keep a finished process (a CLI, a test) alive.
      allowExitOnIdle: true,
      application_name: 'legwork',
    },
  };
}

/**
 * The configured database: PostgreSQL with DATABASE_URL, else the SQLite file (the embedded default). `entities`: none
 * for the engine (each feature module registers its own); the root's ENTITIES for the CLIs and tools.
 */
export function dataSourceOptions(settings: DatabaseSettings, entities: NonNullable<DataSourceOptions['entities']> = []): DataSourceOptions {
  return settings.url ? postgresDataSourceOptions(settings.url, entities) : sqliteDataSourceOptions(settings, entities);
}

/** True on a server database shared by several instances. */
export function isPostgres(options: { type: string }): boolean {
  return options.type === 'postgres';
}
