import { createTestDatabase, describePostgres, TestDatabase } from '../../test/helpers/postgres';
import { openDataSource } from '../database/postgres/migrate-locked';
import { postgresDataSourceOptions } from '../database/postgres/postgres-data-source.options';
import { InboxEntry } from '../inbox/inbox-entry.entity';
import { openTradeLogReadOnly, tradeLogLocation, TradeLogOpenError } from './read-only-data-source';
import { ENTITIES } from '../entities';

describePostgres('the CLI on a PostgreSQL trade log (real server)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('DATABASE_URL is where the CLI reads, before DATABASE_PATH; --db wins over both', () => {
    expect(tradeLogLocation(undefined, { DATABASE_URL: db.url, DATABASE_PATH: '/x.sqlite' }, 'd.sqlite')).toBe(db.url);
    expect(tradeLogLocation('/y.sqlite', { DATABASE_URL: db.url }, 'd.sqlite')).toBe('/y.sqlite');
    expect(tradeLogLocation(undefined, { DATABASE_PATH: '/x.sqlite' }, 'd.sqlite')).toBe('/x.sqlite');
  });

  it('refuses a database the engine never migrated, then reads a migrated one and cannot write to it', async () => {
    await expect(openTradeLogReadOnly(db.url, ENTITIES)).rejects.toThrow(TradeLogOpenError);
    const engine = await openDataSource(postgresDataSourceOptions(db.url, ENTITIES));
    await engine.getRepository(InboxEntry).insert({ dedupKey: 'k1', source: 'postback', orderId: '1', rawBody: '{}' });
    await engine.destroy();

    const cli = await openTradeLogReadOnly(db.url, ENTITIES);
    try {
      expect(await cli.getRepository(InboxEntry).count()).toBe(1);
      await expect(cli.getRepository(InboxEntry).insert({ dedupKey: 'k2', source: 'postback', orderId: '2', rawBody: '{}' })).rejects.toThrow(/read-only/);
    } finally {
      await cli.destroy();
    }
  });
});
