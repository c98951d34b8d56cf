import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { sqliteDataSourceOptions } from '../../src/database/data-source.options';
import { ENTITIES } from '../../src/entities';
import { InboxEntry } from '../../src/inbox/inbox-entry.entity';
import { startEngineProcess } from '../helpers/engine-process';
import { orderUpdate, signedPostback } from '../helpers/postbacks';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';

/** Prometheus text format → { 'name{labels}': value } (labels as printed). */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([^\s]+)\s+([^\s]+)/.exec(line);
    if (match) values.set(match[1], Number(match[2]));
  }
  return values;
}

describe('operations: health, readiness, metrics', () => {
  const tmp = tempDir();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(testEnv(tmp.dir, { POSTBACK_BODY_LIMIT: '2kb' }));
  });
  afterAll(async () => {
    await t.close();
    tmp.cleanup();
  });

  it('answers liveness and readiness while the store is writable', async () => {
    expect((await request(t.app.getHttpServer()).get('/health')).status).toBe(200);
    const ready = await request(t.app.getHttpServer()).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info.database).toMatchObject({ status: 'up', writable: true });
    expect(ready.body.info.inbox).toMatchObject({ status: 'up', backlog: 0 });
  });

  it('flips readiness to 503 when the database stops taking writes, and back', async () => {
    await t.dataSource.query('PRAGMA query_only = ON');
    try {
      const ready = await request(t.app.getHttpServer()).get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error.database).toMatchObject({ status: 'down', writable: false });
      expect((await request(t.app.getHttpServer()).get('/health')).status).toBe(200);
    } finally {
      await t.dataSource.query('PRAGMA query_only = OFF');
    }
    expect((await request(t.app.getHttpServer()).get('/health/ready')).status).toBe(200);
  });

  it('moves the postback counters by outcome and the event counters by type', async () => {
    const scrape = async () => parseMetrics((await request(t.app.getHttpServer()).get('/metrics')).text);
    const before = await scrape();
    const get = (m: Map<string, number>, key: string) => m.get(key) ?? 0;
    const server = t.app.getHttpServer();
    const send = (body: string) => request(server).post('/kite/postback').set('Content-Type', 'text/plain').send(body);

    const good = JSON.stringify(orderUpdate('5000000000000000001', 'COMPLETE', 1, 1, 10, '2026-11-25 12:00:00'));
    expect((await send(good)).status).toBe(200);
    expect((await send(good)).status).toBe(200);
    expect((await send('not json')).status).toBe(400);
    expect((await send(JSON.stringify(signedPostback({ checksum: 'f'.repeat(64) })))).status).toBe(403);
    expect((await send(JSON.stringify(signedPostback({ pad: 'x'.repeat(4096) })))).status).toBe(413);
    await t.settle();

    const after = await scrape();
    const delta = (key: string) => get(after, key) - get(before, key);
    expect(delta('legwork_postbacks_total{outcome="accepted"}')).toBe(1);
    expect(delta('legwork_postbacks_total{outcome="duplicate"}')).toBe(1);
    expect(delta('legwork_postbacks_total{outcome="400"}')).toBe(1);
    expect(delta('legwork_postbacks_total{outcome="403"}')).toBe(1);
    expect(delta('legwork_postbacks_total{outcome="413"}')).toBe(1);
    expect(delta('legwork_postback_ack_seconds_count')).toBe(2);
    expect(delta('legwork_events_published_total{type="order.filled"}')).toBe(1);
    expect(delta('legwork_events_published_total{type="order.completed"}')).toBe(1);
    expect(delta('legwork_inbox_processed_total{outcome="applied"}')).toBe(1);
    expect(get(after, 'legwork_inbox_backlog')).toBe(0);
  });
});

describe('graceful shutdown', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('loses nothing acknowledged when SIGTERM arrives during a burst', async () => {
    const env = testEnv(tmp.dir, { DATABASE_PATH: join(tmp.dir, 'sigterm.sqlite') });
    const engine = await startEngineProcess(env);
    const acknowledged: string[] = [];
    let next = 0;
    let stopping = false;
    const senders = Array.from({ length: 4 }, async () => {
      while (next < 300) {
        const id = String(6000000000000000000n + BigInt(next++));
        const res = await fetch(`${engine.url}/kite/postback`, {
          method: 'POST',
          body: JSON.stringify(orderUpdate(id, 'COMPLETE', 2, 2, 50, '2026-11-25 13:00:00')),
        }).catch(() => null);
        if (res?.status === 200) acknowledged.push(id);
        if (stopping && !res) return;
      }
    });
    while (acknowledged.length < 30) await new Promise((r) => setTimeout(r, 5));
    stopping = true;
    await engine.stop(); // SIGTERM
    await Promise.all(senders);
    expect(engine.child.exitCode === 0 || engine.child.signalCode === 'SIGTERM').toBe(true);
    expect(engine.output()).toMatch(/legwork is up in PAPER mode/);
    expect(engine.output()).not.toContain(env.KITE_API_SECRET); // the secret never reaches a log line

    const store = await new DataSource(sqliteDataSourceOptions({ path: env.DATABASE_PATH, synchronous: 'FULL' }, ENTITIES)).initialize();
    try {
      const entries = await store.getRepository(InboxEntry).find();
      const stored = new Set(entries.map((e) => e.orderId));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      // What was acknowledged before the drain began was processed before exit.
      const processed = entries.filter((e) => e.processedAt !== null).length;
      expect(processed).toBeGreaterThanOrEqual(30);
    } finally {
      await store.destroy();
    }
  }, 120_000);
});
