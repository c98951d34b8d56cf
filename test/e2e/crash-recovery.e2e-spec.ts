import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { sqliteDataSourceOptions } from '../../src/database/data-source.options';
import { ENTITIES } from '../../src/entities';
import { InboxEntry } from '../../src/inbox/inbox-entry.entity';
import { dedupKeyOf } from '../../src/inbox/dedup-key';
import { Fill } from '../../src/orders/entities/fill.entity';
import { Order } from '../../src/orders/entities/order.entity';
import { toOrderUpdate } from '../../src/orders/order-update';
import { startEngineProcess } from '../helpers/engine-process';
import { BootEventRecorder } from '../helpers/event-recorder';
import { orderUpdate } from '../helpers/postbacks';
import { createTestApp, tempDir, testEnv } from '../helpers/test-app';

async function openStore(path: string): Promise<DataSource> {
  return new DataSource(sqliteDataSourceOptions({ path, synchronous: 'FULL' }, ENTITIES)).initialize();
}

describe('crash recovery', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('processes, at the next start, an inbox entry that was acknowledged but never processed', async () => {
    const env = testEnv(tmp.dir, { DATABASE_PATH: join(tmp.dir, 'restart.sqlite') });
    // The state a crash right after the 200 leaves behind: the entry is stored, nothing else happened.
    const store = await openStore(env.DATABASE_PATH);
    const body = orderUpdate('3000000000000000001', 'COMPLETE', 2, 2, 310.25, '2026-11-25 10:00:00');
    await store.getRepository(InboxEntry).insert({
      dedupKey: dedupKeyOf(toOrderUpdate(body)),
      source: 'postback',
      orderId: '3000000000000000001',
      rawBody: JSON.stringify(body),
    });
    await store.destroy();

    const t = await createTestApp(env, { providers: [BootEventRecorder] });
    await t.settle();
    const entry = await t.dataSource.getRepository(InboxEntry).findOneByOrFail({ orderId: '3000000000000000001' });
    expect(entry.outcome).toBe('applied');
    expect(await t.dataSource.getRepository(Order).findOneByOrFail({ orderId: '3000000000000000001' })).toMatchObject({
      status: 'COMPLETE',
      filledQuantity: 2,
    });
    const events = t.app.get(BootEventRecorder).events;
    expect(events.map((e) => [e.name, e.orderId])).toEqual([
      ['order.filled', '3000000000000000001'],
      ['order.completed', '3000000000000000001'],
    ]);
    await t.close();
  });

  it('re-publishes, at the next start, events stored but not yet published before the crash', async () => {
    const env = testEnv(tmp.dir, { DATABASE_PATH: join(tmp.dir, 'outbox.sqlite') });
    const first = await createTestApp(env);
    await first.close();
    const store = await openStore(env.DATABASE_PATH);
    await store.query(`INSERT INTO order_events ("orderId","type","status","filledQuantity","source","inboxId","payload") VALUES (?,?,?,?,?,?,?)`, [
      '3000000000000000002',
      'order.completed',
      'COMPLETE',
      1,
      'postback',
      null,
      JSON.stringify({ order: { orderId: '3000000000000000002', status: 'COMPLETE' } }),
    ]);
    await store.destroy();

    const second = await createTestApp(env, { providers: [BootEventRecorder] });
    await second.settle();
    expect(second.app.get(BootEventRecorder).events.map((e) => [e.name, e.orderId])).toEqual([['order.completed', '3000000000000000002']]);
    const rows = await second.dataSource.query(`SELECT "dispatchedAt" FROM order_events WHERE "orderId" = '3000000000000000002'`);
    expect(rows[0].dispatchedAt).not.toBeNull();
    await second.close();
  });

  it('loses no acknowledged postback when the engine process is killed with SIGKILL mid-stream', async () => {
    const env = testEnv(tmp.dir, { DATABASE_PATH: join(tmp.dir, 'kill9.sqlite') });
    let engine = await startEngineProcess(env);
    const acknowledged: string[] = [];
    const send = async (url: string, i: number) => {
      const id = String(4000000000000000000n + BigInt(i));
      const res = await fetch(`${url}/kite/postback`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        body: JSON.stringify(orderUpdate(id, 'COMPLETE', 1, 1, 100 + i, '2026-11-25 11:00:00')),
      }).catch(() => null);
      if (res?.status === 200) acknowledged.push(id);
    };

    // Keep postbacks flowing from several senders, and kill the engine while they are in flight.
    let next = 0;
    const senders = Array.from({ length: 4 }, async () => {
      while (next < 400) await send(engine.url, next++);
    });
    while (acknowledged.length < 40) await new Promise((r) => setTimeout(r, 5));
    await engine.kill9();
    await Promise.all(senders);
    const ackedBeforeKill = [...acknowledged];
    expect(ackedBeforeKill.length).toBeGreaterThan(0);

    engine = await startEngineProcess(env);
    // Give the restarted engine time to work its backlog, polling the store rather than sleeping blindly.
    const store = await openStore(env.DATABASE_PATH);
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [{ n }] = await store.query(`SELECT COUNT(*) AS n FROM inbox WHERE "processedAt" IS NULL`);
        if (Number(n) === 0 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const stored = new Set((await store.getRepository(InboxEntry).find()).map((e) => e.orderId));
      const missing = ackedBeforeKill.filter((id) => !stored.has(id));
      expect(missing).toEqual([]);
      const orders = new Set((await store.getRepository(Order).find()).map((o) => o.orderId));
      expect(ackedBeforeKill.filter((id) => !orders.has(id))).toEqual([]);
      // One fill per order, never two.
      const fills = await store.getRepository(Fill).find();
      expect(fills.length).toBe(new Set(fills.map((f) => f.orderId)).size);
    } finally {
      await store.destroy();
      await engine.stop();
    }
  }, 120_000);
});
