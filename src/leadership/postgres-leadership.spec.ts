import { DataSource } from 'typeorm';
import { Logger } from '@nestjs/common';
import { eventually } from '../../test/helpers/eventually';
import { createTestDatabase, describePostgres, TestDatabase } from '../../test/helpers/postgres';
import { openDataSource } from '../database/postgres/migrate-locked';
import { postgresDataSourceOptions } from '../database/postgres/postgres-data-source.options';
import { PostgresLeadership } from './postgres-leadership';
import { ENTITIES } from '../entities';

describePostgres('PostgresLeadership: a lease row with a fencing epoch (real PostgreSQL)', () => {
  let db: TestDatabase;
  let a: DataSource;
  let b: DataSource;
  const started: PostgresLeadership[] = [];
  const leadership = (ds: DataSource, name: string) => {
    const l = new PostgresLeadership(ds, name, 1000);
    started.push(l);
    l.start();
    return l;
  };
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['error', 'warn', 'log']));
  beforeEach(async () => {
    db = await createTestDatabase();
    a = await openDataSource(postgresDataSourceOptions(db.url, ENTITIES));
    b = await openDataSource(postgresDataSourceOptions(db.url, ENTITIES));
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((l) => l.stop()));
    await a.destroy();
    await b.destroy();
    await db.drop();
  });

  const fenceIn = (ds: DataSource, l: PostgresLeadership) => ds.transaction((m) => l.fence(m));

  it('one leader at a time; the standby is refused by the fence; a graceful stop hands over at once, at a higher epoch', async () => {
    const first = leadership(a, 'a');
    await first.whenLeader();
    const second = leadership(b, 'b');
    expect(first.status()).toMatchObject({ role: 'leader', epoch: 1 });
    expect(second.status()).toMatchObject({ role: 'standby', epoch: null });
    expect(await fenceIn(a, first)).toBe(true);
    expect(await fenceIn(b, second)).toBe(false);

    await first.stop();
    await second.whenLeader();
    expect(second.status()).toMatchObject({ role: 'leader', epoch: 2 });
    expect(first.isLeader()).toBe(false);
    expect(await fenceIn(a, first)).toBe(false);
  });

  it('a leader cut off past its lease is fenced out even before it notices, then learns it lost (onLost)', async () => {
    const first = leadership(a, 'a');
    await first.whenLeader();
    const lost = new Promise<void>((resolve) => first.onLost(resolve));
    // The leader's lease runs out without a renewal reaching the database (a pause, a partition): simulated on the row.
    first.freeze();
    await b.query(`UPDATE "leadership" SET "expiresAt" = (clock_timestamp() AT TIME ZONE 'utc') - interval '1 second'`);
    const second = leadership(b, 'b');
    await second.whenLeader();
    expect(second.status().epoch).toBe(2);
    // Whatever the old leader believes, a claim transaction of its own is refused (its epoch is gone)...
    expect(await fenceIn(a, first)).toBe(false);
    // ...and its next renewal tells it.
    first.start();
    await lost;
    expect(first.isLeader()).toBe(false);
  });

  it('a takeover waits for a claim transaction of the leader in flight: every claim is made before it or refused', async () => {
    const first = leadership(a, 'a');
    await first.whenLeader();
    first.freeze(); // its lease runs out (simulated on the row) while it still believes it leads
    await b.query(`UPDATE "leadership" SET "expiresAt" = (clock_timestamp() AT TIME ZONE 'utc') - interval '1 second'`);
    const runner = a.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      expect(await first.fence(runner.manager)).toBe(true);
      const second = leadership(b, 'b');
      // The standby's takeover blocks on the row the claim holds FOR SHARE.
      await eventually(
        async () =>
          (
            await a.query<unknown[]>(
              `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO "leadership"%'`,
              [db.name],
            )
          ).length === 1,
        "the standby's takeover waiting on the lease row",
        10_000,
      );
      expect(second.isLeader()).toBe(false);
      await runner.commitTransaction();
      await second.whenLeader();
      expect(second.status().epoch).toBe(2);
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
