import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { createTestDatabase, describePostgres, TestDatabase } from '../../../test/helpers/postgres';

/**
 * Traders run legwork on machines set to India's time (TZ=Asia/Kolkata). The trade log's timestamps are `timestamp`
 * columns holding UTC (the database's own defaults write `now() AT TIME ZONE 'utc'`), so a Date the engine writes
 * must go in as UTC and come back as the same instant, whatever the process's time zone. Before, node-postgres wrote
 * and read them in local time: 5 h 30 min off from the rows the database stamped, and from claim expiries and leases
 * compared on the server. The engine runs in a process of its own here, so that its time zone is IST from the start.
 */
describePostgres('timestamps on PostgreSQL in a process set to IST (real server)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('a Date written by the engine is stored as UTC and read back as the same instant', () => {
    const script = `
      const { openDataSource } = require(${JSON.stringify(resolve(__dirname, 'migrate-locked.ts'))});
      const { postgresDataSourceOptions } = require(${JSON.stringify(resolve(__dirname, 'postgres-data-source.options.ts'))});
      const { ENTITIES } = require(${JSON.stringify(resolve(__dirname, '../../entities.ts'))});
      const { InboxEntry } = require(${JSON.stringify(resolve(__dirname, '../../inbox/inbox-entry.entity.ts'))});
      (async () => {
        const ds = await openDataSource(postgresDataSourceOptions(process.env.DB_URL, ENTITIES));
        const written = new Date(Date.UTC(2026, 11, 3, 3, 45, 1, 250));
        const inbox = ds.getRepository(InboxEntry);
        await inbox.insert({ dedupKey: 'k1', source: 'postback', orderId: '1', rawBody: '{}', receivedAt: written });
        await inbox.insert({ dedupKey: 'k2', source: 'postback', orderId: '2', rawBody: '{}' });
        const [stored] = await ds.query('SELECT "receivedAt"::text AS text FROM "inbox" WHERE "dedupKey" = $1', ['k1']);
        const read = await inbox.findOneByOrFail({ dedupKey: 'k1' });
        const stamped = await inbox.findOneByOrFail({ dedupKey: 'k2' });
        await ds.destroy();
        console.log(JSON.stringify({
          localHour: written.getHours(),
          stored: stored.text,
          read: read.receivedAt.toISOString(),
          stampedMinutesFromNow: Math.round((stamped.receivedAt.getTime() - Date.now()) / 60000),
        }));
      })().catch((error) => { console.error(error); process.exit(1); });
    `;
    const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      cwd: resolve(__dirname, '../../..'),
      env: { ...process.env, TZ: 'Asia/Kolkata', DB_URL: db.url },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    const seen = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(seen.localHour).toBe(9); // the process's zone is IST: 03:45 UTC is 09:15 there
    expect(seen.stored).toBe('2026-12-03 03:45:01.25');
    expect(seen.read).toBe('2026-12-03T03:45:01.250Z');
    // The row the database stamped reads as now, not 330 minutes away from it (a bound far wider than any delay).
    expect(Math.abs(seen.stampedMinutesFromNow as number)).toBeLessThan(60);
  });
});
