import { oldTradeLog } from '../../../test/helpers/old-trade-log';
import { tempDir } from '../../../test/helpers/test-app';

describe('migration LegSlices on a trade log written by the old code', () => {
  const tmp = tempDir('legwork-migration-');
  afterAll(() => tmp.cleanup());

  it('keeps every leg as a whole leg (slice 0), lets slices share its key, and still refuses a second whole leg', async () => {
    const { old, migrate } = await oldTradeLog(tmp.dir, 'LegSlices1796288145415');
    await old.query(
      `INSERT INTO "legs" ("strategy", "chainId", "parentOrderId", "legName", "tag", "status", "request") VALUES ('s', '1', '1', 'exit', 'lwold', 'placed', '{}')`,
    );
    await old.destroy();

    // Up to LegSlices and no further, so that undoing the last migration undoes LegSlices whatever comes after it.
    const migrated = await migrate({ throughOnly: true });
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
