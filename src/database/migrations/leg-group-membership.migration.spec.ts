import { oldTradeLog } from '../../../test/helpers/old-trade-log';
import { tempDir } from '../../../test/helpers/test-app';

describe('migration LegGroupMembership on a trade log written by the old code', () => {
  const tmp = tempDir('legwork-migration-');
  afterAll(() => tmp.cleanup());

  it("gives each group leg (and its reversals) its group's id from the `<group>/<leg>` name, and no other leg one", async () => {
    const { old, migrate } = await oldTradeLog(tmp.dir, 'LegGroupMembership1797000000100');
    const group = async (parentOrderId: string, name: string) =>
      await old.query<Array<{ id: number }>>(
        `INSERT INTO "leg_groups" ("strategy", "parentOrderId", "name", "direction", "status", "spec", "deadline") VALUES ('s', ?, ?, 'entry', 'done', '{}', '2026-12-01 10:00:00') RETURNING "id"`,
        [parentOrderId, name],
      );
    const [hedge1] = await group('1', 'hedge');
    const [underscored] = await group('1', 'a_b');
    const [hedge2] = await group('2', 'hedge');
    let n = 0;
    for (const [parentOrderId, legName] of [
      ['1', 'hedge/buy'],
      ['1', 'hedge/buy:unwind'],
      ['1', 'exit'],
      ['1', 'other/x'],
      ['1', 'aXb/x'],
      ['1', 'a_b/x'],
      ['2', 'hedge/buy'],
    ]) {
      await old.query(
        `INSERT INTO "legs" ("strategy", "chainId", "parentOrderId", "legName", "tag", "status", "request") VALUES ('s', ?, ?, ?, ?, 'placed', '{}')`,
        [parentOrderId, parentOrderId, legName, `lwtag${++n}`],
      );
    }
    await old.destroy();

    // Up to LegGroupMembership and no further, so that undoing the last migration undoes it whatever comes after it.
    const migrated = await migrate({ throughOnly: true });
    try {
      const rows = await migrated.query<unknown[]>(`SELECT "parentOrderId", "legName", "groupId" FROM "legs" ORDER BY "id"`);
      expect(rows).toEqual([
        { parentOrderId: '1', legName: 'hedge/buy', groupId: hedge1.id },
        { parentOrderId: '1', legName: 'hedge/buy:unwind', groupId: hedge1.id },
        { parentOrderId: '1', legName: 'exit', groupId: null },
        { parentOrderId: '1', legName: 'other/x', groupId: null },
        { parentOrderId: '1', legName: 'aXb/x', groupId: null },
        { parentOrderId: '1', legName: 'a_b/x', groupId: underscored.id },
        { parentOrderId: '2', legName: 'hedge/buy', groupId: hedge2.id },
      ]);
      await migrated.undoLastMigration();
      expect((await migrated.query<Array<{ name: string }>>(`PRAGMA table_info("legs")`)).map((c) => c.name)).not.toContain('groupId');
    } finally {
      await migrated.destroy();
    }
  });
});
