import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { sqliteDataSourceOptions } from '../../src/database/data-source.options';
import { openDataSource } from '../../src/database/postgres/migrate-locked';
import { postgresDataSourceOptions } from '../../src/database/postgres/postgres-data-source.options';
import { tempDir } from './test-app';
import { ENTITIES } from '../../src/entities';

/** The server the tests create their databases on (trust auth). */
export const POSTGRES_ADMIN_URL = process.env.LEGWORK_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Whether the PostgreSQL tests run here (see postgres-probe.js, Jest's globalSetup): always under CI=true, else only
 * when a server answers. Read without globalSetup (a single spec run by hand through another config): run.
 */
export function postgresTestsRun(): boolean {
  return process.env.LEGWORK_TEST_POSTGRES !== 'skip';
}

/** `describe` for PostgreSQL-only suites: skipped (and said so by the probe) when the server is missing outside CI. */
export function describePostgres(name: string, suite: () => void): void {
  (postgresTestsRun() ? describe : describe.skip)(name, suite);
}

/** The dialects a store spec runs against: SQLite always, PostgreSQL when its tests run here. */
export const STORE_DIALECTS: Array<'sqlite' | 'postgres'> = postgresTestsRun() ? ['sqlite', 'postgres'] : ['sqlite'];

/** A fresh database legwork_<random> on the test server; drop() removes it (after every connection to it closed). */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(work: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = await new DataSource({ type: 'postgres', url: POSTGRES_ADMIN_URL, extra: { max: 1, allowExitOnIdle: true } }).initialize();
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `legwork_${randomBytes(6).toString('hex')}`;
  await admin((ds) => ds.query(`CREATE DATABASE "${name}"`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    // FORCE: a killed engine process may leave a connection the server has not noticed yet.
    drop: () => admin((ds) => ds.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A migrated trade log on the given dialect, for store specs: SQLite in a temp dir, or a fresh PostgreSQL database. */
export async function openTestStore(dialect: 'sqlite' | 'postgres'): Promise<{ dataSource: DataSource; url?: string; close: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const tmp = tempDir('legwork-store-');
    const dataSource = await new DataSource(sqliteDataSourceOptions({ path: `${tmp.dir}/legwork.sqlite`, synchronous: 'FULL' }, ENTITIES)).initialize();
    return {
      dataSource,
      close: async () => {
        await dataSource.destroy();
        tmp.cleanup();
      },
    };
  }
  const db = await createTestDatabase();
  const dataSource = await openDataSource(postgresDataSourceOptions(db.url, ENTITIES));
  return {
    dataSource,
    url: db.url,
    close: async () => {
      await dataSource.destroy();
      await db.drop();
    },
  };
}
