import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { orderUpdate } from '../../test/helpers/postbacks';
import { sqliteDataSourceOptions } from '../database/data-source.options';
import { hotPathStore } from '../database/database.module';
import { openTestStore, STORE_DIALECTS } from '../../test/helpers/postgres';
import { ENTITIES } from '../entities';
import { WriteTransactions } from '../database/write-transactions';
import { DeliveryHolds } from '../orders/delivery-holds';
import { OrderEventPublisher } from '../orders/order-event.publisher';
import { OrderStateService } from '../orders/order-state.service';
import { InboxEntry } from './inbox-entry.entity';
import { InboxService } from './inbox.service';

const counter = (name: string) => new Counter({ name, help: name, labelNames: ['outcome', 'type'], registers: [] });

describe.each(STORE_DIALECTS)('InboxService (group commit on a real %s database)', (dialect) => {
  let dir: string;
  let close: () => Promise<void>;
  let dataSource: DataSource;
  let writes: WriteTransactions;
  let inbox: InboxService;
  let bus: EventEmitter2;
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['error', 'warn', 'log']));
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'legwork-inbox-'));
    if (dialect === 'sqlite') {
      dataSource = await new DataSource(sqliteDataSourceOptions({ path: join(dir, 'legwork.sqlite'), synchronous: 'FULL' }, ENTITIES)).initialize();
      close = () => dataSource.destroy();
    } else ({ dataSource, close } = await openTestStore(dialect));
    writes = new WriteTransactions(dataSource);
    const store = hotPathStore(dataSource, writes);
    bus = new EventEmitter2();
    const publisher = new OrderEventPublisher(store, bus, new DeliveryHolds(), counter('published'));
    inbox = new InboxService(store, new OrderStateService(), publisher, counter('processed'));
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await writes.onApplicationShutdown();
    await close();
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
    // Before the processor's first pass (after a start) nothing is applied on arrival.
    expect(row).toMatchObject({ processedAt: null, attempts: 0, source: 'postback' });
  });

  it('once the processor has drained the inbox: applies on arrival in the same commit, and publishes from memory', async () => {
    const left: number[] = [];
    inbox.applyOnArrival(() => left.push(1));
    const published: string[] = [];
    bus.on('order.opened', (event: { orderId: string }) => void published.push(event.orderId));
    await Promise.all([accept(3), accept(4)]);
    const rows = await dataSource.getRepository(InboxEntry).find({ order: { id: 'ASC' } });
    expect(rows.map((r) => [r.outcome, r.attempts])).toEqual([
      ['applied', 1],
      ['applied', 1],
    ]);
    await inbox.whenFlushed();
    expect(published).toEqual([body(3).order_id, body(4).order_id]);
    expect(left).toEqual([]);
  });

  // SQLite's own fsync off the event loop; on PostgreSQL a COMMIT is durable when it returns.
  (dialect === 'sqlite' ? it : it.skip)(
    'answers only after the commit is on stable storage, and commits the next batch while that fdatasync runs',
    async () => {
      const commits = await writes.durableCommits();
      const syncs: Array<() => void> = [];
      const real = commits.sync.bind(commits);
      jest.spyOn(commits, 'sync').mockImplementation(() => new Promise<void>((resolve) => syncs.push(() => void real().then(resolve))));
      const answered: number[] = [];
      const a = accept(5).then(() => answered.push(5));
      while (syncs.length === 0) await new Promise((r) => setImmediate(r));
      const b = accept(6).then(() => answered.push(6));
      while (syncs.length === 1) await new Promise((r) => setImmediate(r));
      // Both batches are committed (another connection sees them), neither is answered: their syncs have not returned.
      const other = await new DataSource(sqliteDataSourceOptions({ path: join(dir, 'legwork.sqlite'), synchronous: 'FULL' }, ENTITIES)).initialize();
      expect(await other.getRepository(InboxEntry).count()).toBe(2);
      await other.destroy();
      expect(answered).toEqual([]);
      syncs[0]();
      await a;
      expect(answered).toEqual([5]);
      syncs[1]();
      await b;
      expect(answered).toEqual([5, 6]);
    },
  );

  it('whenFlushed: at once when nothing waits, else after the waiting updates are committed', async () => {
    await expect(inbox.whenFlushed()).resolves.toBeUndefined();
    const order: string[] = [];
    const accepted = accept(7).then(() => order.push('accepted'));
    const flushed = inbox.whenFlushed().then(() => order.push('flushed'));
    await Promise.all([accepted, flushed]);
    expect(order).toEqual(['accepted', 'flushed']);
    expect(await dataSource.getRepository(InboxEntry).countBy({ orderId: body(7).order_id })).toBe(1);
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
