import type { DataSourceOptions } from 'typeorm';
import { sqliteDataSourceOptions, SqliteSettings } from '../data-source.options';
import { MIGRATIONS } from '../migrations';

export interface DatabaseSettings extends SqliteSettings {
  /** DATABASE_URL: PostgreSQL when set. */
  url?: string;
}

/**
 * TypeORM options for PostgreSQL (the `pg` driver): the same entities and migrations as SQLite. Durability is the
 * server's (a COMMIT returns once it is in PostgreSQL's WAL), so no fsync of our own.
 */
export function postgresDataSourceOptions(url: string, entities: NonNullable<DataSourceOptions['entities']> = []): DataSourceOptions {
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
