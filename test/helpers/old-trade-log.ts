import { DataSource } from 'typeorm';
import { sqliteDataSourceOptions } from '../../src/database/data-source.options';
import { MIGRATIONS } from '../../src/database/migrations';
import { ENTITIES } from '../../src/entities';

/**
 * A SQLite trade log as the code before `migration` left it (every migration up to it, not it), for a migration's
 * spec to write old rows into; `migrate()` opens the same file with the migrations from `migration` on — all of them,
 * or with `throughOnly` up to `migration` and no further (a spec that undoes "the last" migration).
 */
export async function oldTradeLog(
  dir: string,
  migration: string,
): Promise<{ old: DataSource; migrate: (options?: { throughOnly?: boolean }) => Promise<DataSource> }> {
  const base = sqliteDataSourceOptions({ path: `${dir}/old.sqlite`, synchronous: 'NORMAL' }, ENTITIES);
  const at = MIGRATIONS.findIndex((m) => m.name === migration);
  if (at < 0) throw new Error(`no migration named ${migration}`);
  const old = await new DataSource({ ...base, migrations: MIGRATIONS.slice(0, at), logging: false }).initialize();
  return {
    old,
    migrate: ({ throughOnly = false } = {}) =>
      new DataSource({ ...base, ...(throughOnly ? { migrations: MIGRATIONS.slice(0, at + 1) } : {}), logging: false }).initialize(),
  };
}
