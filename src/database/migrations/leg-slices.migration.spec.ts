import { DataSource } from 'typeorm';
import { tempDir } from '../../../test/helpers/test-app';
import { sqliteDataSourceOptions } from '../data-source.options';
import { ENTITIES } from '../../entities';
import { MIGRATIONS } from './index';

describe('migration LegSlices on a trade log written by the old code', () => {
  const tmp = tempDir('legwork-migration-');
  afterAll(() => tmp.cleanup());

  it('keeps every leg as a whole leg (slice 0), lets slices share its key, and still refuses a second whole leg', async () => {
    const base = sqliteDataSourceOptions({ path: `${tmp.dir}/old.sqlite`, synchronous: 'NORMAL' }, ENTITIES);
    const legSlices = MIGRATIONS.findIndex((m) => m.name === 'LegSlices1796288145415');
    // Up to LegSlices and no further, so that undoing the last migration undoes LegSlices whatever comes after it.
    const before = MIGRATIONS.slice(0, legSlices);
    const through = MIGRATIONS.slice(0, legSlices + 1);
    const old = await new DataSource({ ...base, migrations: before, logging: false }).initialize();
    await old.query(
      `INSERT INTO "legs" ("strategy", "chainId", "parentOrderId", "legName", "tag", "status", "request") VALUES ('s', '1', '1', 'exit', 'lwold', 'placed', '{}')`,
    );
    await old.destroy();

    const migrated = await new DataSource({ ...base, migrations: through, logging: false }).initialize();
    try {
      expect(await migrated.query(`SELECT "legName", "slice", "slices", "sliceOf", "slicing", "autosliceParentId" FROM "legs"`)).toEqual([
        { legName: 'exit', slice: 0, slices: 0, sliceOf: null, slicing: null, autosliceParentId: null },
      ]);
      await migrated.query(
        `INSERT INTO "legs" ("strategy", "chainId", "parentOrderId", "legName", "tag", "status", "request", "slice", "sliceOf") VALUES ('s', '1', '1', 'exit', 'lwslice1', 'intent', '{}', 1, 1)`,
      );
      await expect(
        migrated.query(
          `INSERT INTO "legs" ("strategy", "chainId", "parentOrderId", "legName", "tag", "status", "request") VALUES ('s', '1', '1', 'exit', 'lwagain', 'intent', '{}')`,
        ),
      ).rejects.toThrow(/UNIQUE/);
      await migrated.undoLastMigration();
      expect(await migrated.query(`SELECT "tag" FROM "legs"`)).toEqual([{ tag: 'lwold' }]);
    } finally {
      await migrated.destroy();
    }
  });
});
