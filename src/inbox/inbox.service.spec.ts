import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { orderUpdate } from '../../test/helpers/postbacks';
import { sqliteDataSourceOptions } from '../database/data-source.options';
import { WriteTransactions } from '../database/write-transactions';
import { InboxEntry } from './inbox-entry.entity';
import { InboxService } from './inbox.service';

describe('InboxService (group commit on a real SQLite file)', () => {
  let dir: string;
  let dataSource: DataSource;
  let inbox: InboxService;
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['error', 'warn', 'log']));
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'legwork-inbox-'));
    dataSource = await new DataSource(sqliteDataSourceOptions({ path: join(dir, 'legwork.sqlite'), synchronous: 'FULL' })).initialize();
    inbox = new InboxService(dataSource.getRepository(InboxEntry), new WriteTransactions(dataSource));
  });
  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const body = (n: number) => orderUpdate(String(7000000000000000000n + BigInt(n)), 'OPEN', 0, 1, 0, '2026-11-25 09:15:00');
  const accept = (n: number) => inbox.accept(JSON.stringify(body(n)), body(n), 'postback');

  it('stores a burst in one go, answers each caller once committed, and absorbs repeats within and across batches', async () => {
    const first = await Promise.all([accept(1), accept(2), accept(1)]);
    expect(first.map((r) => r.duplicate)).toEqual([false, false, true]);
    expect((await accept(2)).duplicate).toBe(true);
    expect(await dataSource.getRepository(InboxEntry).count()).toBe(2);
    const row = await dataSource.getRepository(InboxEntry).findOneByOrFail({ orderId: body(1).order_id });
    expect(JSON.parse(row.rawBody)).toEqual(body(1));
    expect(row).toMatchObject({ processedAt: null, attempts: 0, source: 'postback' });
  });

  it('whenFlushed: at once when nothing waits, else after the waiting updates are committed', async () => {
    await expect(inbox.whenFlushed()).resolves.toBeUndefined();
    const order: string[] = [];
    const accepted = accept(3).then(() => order.push('accepted'));
    const flushed = inbox.whenFlushed().then(() => order.push('flushed'));
    await Promise.all([accepted, flushed]);
    expect(order).toEqual(['accepted', 'flushed']);
    expect(await dataSource.getRepository(InboxEntry).countBy({ orderId: body(3).order_id })).toBe(1);
  });

  it('whenFlushed does not wait for the intake to fall idle (a steady stream cannot starve the processor)', async () => {
    const order: string[] = [];
    const stream: Array<Promise<unknown>> = [accept(10).then(() => order.push('first accepted'))];
    const flushed = inbox.whenFlushed().then(() => order.push('flushed'));
    // Keep new updates arriving on every turn of the event loop, well past the first commit.
    for (let n = 11; n < 30; n++) {
      await new Promise((resolve) => setImmediate(resolve));
      stream.push(accept(n));
    }
    const last = stream[stream.length - 1].then(() => order.push('last accepted'));
    await Promise.all([...stream, flushed, last]);
    expect(order.indexOf('flushed')).toBeGreaterThan(order.indexOf('first accepted'));
    expect(order.indexOf('flushed')).toBeLessThan(order.indexOf('last accepted'));
    expect(await dataSource.getRepository(InboxEntry).count()).toBe(20);
  });
});
