import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Fill } from '../orders/entities/fill.entity';
import { OrderAction } from '../rails/entities/order-action.entity';
import { sqliteDataSourceOptions } from './data-source.options';
import { ENTITIES } from '../entities';

describe('numbers bound, not written into the SQL (SQLite)', () => {
  let dir: string;
  let dataSource: DataSource;
  let prepared: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'legwork-bound-'));
    dataSource = await new DataSource(sqliteDataSourceOptions({ path: join(dir, 'db.sqlite'), synchronous: 'NORMAL' }, ENTITIES)).initialize();
    const connection = (dataSource.driver as unknown as { databaseConnection: { prepare(sql: string): unknown } }).databaseConnection;
    const prepare = connection.prepare.bind(connection);
    prepared = [];
    connection.prepare = (sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    };
  });

  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const fill = (quantity: number, price: number, cumulativeQuantity: number) => ({
    orderId: '251125000000001',
    tradingsymbol: 'SBIN',
    transactionType: 'BUY',
    quantity,
    price,
    cumulativeQuantity,
    exchangeTimestamp: '2026-11-25 10:15:00',
    orderEventId: null,
  });

  it('prepares an insert once whatever its numbers, and stores them exactly', async () => {
    const insert = (row: ReturnType<typeof fill>) => dataSource.createQueryBuilder().insert().into(Fill).values(row).updateEntity(false).execute();
    await insert(fill(3, 470.05, 3));
    await insert(fill(7, 471.5, 10));
    await insert(fill(9_007_199_254_740_991, 0.1, 9_007_199_254_740_991));

    expect(prepared.filter((sql) => sql.startsWith('INSERT INTO "fills"'))).toHaveLength(1);
    expect(prepared.join('\n')).not.toContain('470.05');
    const rows = await dataSource.query(
      `SELECT quantity, typeof(quantity) AS qt, price, typeof(price) AS pt, "cumulativeQuantity" AS cq FROM fills ORDER BY id`,
    );
    expect(rows).toEqual([
      { quantity: 3, qt: 'integer', price: 470.05, pt: 'real', cq: 3 },
      { quantity: 7, qt: 'integer', price: 471.5, pt: 'real', cq: 10 },
      { quantity: 9_007_199_254_740_991, qt: 'integer', price: 0.1, pt: 'real', cq: 9_007_199_254_740_991 },
    ]);
  });

  it('binds a whole number as an integer, as the inlined literal was: as text it reads "10", not "10.0"', async () => {
    await dataSource
      .createQueryBuilder()
      .insert()
      .into(OrderAction)
      .values({ action: 'place', strategy: 's', orderId: null, tradingDay: '2026-11-25' })
      .execute();
    const row = await dataSource
      .createQueryBuilder(OrderAction, 'a')
      .select('CAST(:n AS TEXT)', 'value')
      .addSelect('typeof(:n)', 'type')
      .addSelect('typeof(:x)', 'fraction')
      .where('a.id = :id', { id: 1, n: 10, x: 0.5 })
      .getRawOne();
    expect(row).toEqual({ value: '10', type: 'integer', fraction: 'real' });
  });

  it('prepares a lookup by id once for every id', async () => {
    for (const id of [1, 2, 3]) await dataSource.getRepository(OrderAction).findOneBy({ id });
    expect(prepared.filter((sql) => sql.includes('FROM "order_actions"'))).toHaveLength(1);
  });
});
