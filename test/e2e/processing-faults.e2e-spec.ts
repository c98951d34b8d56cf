import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startEngineProcess } from '../helpers/engine-process';
import { eventually } from '../helpers/eventually';
import { orderUpdate } from '../helpers/postbacks';
import { tempDir, testEnv } from '../helpers/test-app';

/** A counter's value from the engine's /metrics (summed over label sets). */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('background processing never takes the engine down', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('a database failing under the inbox processor is caught, counted, shown by readiness, and retried until it works again', async () => {
    const env = testEnv(tmp.dir, { DATABASE_PATH: join(tmp.dir, 'faults.sqlite'), LOG_FORMAT: 'json' });
    const engine = await startEngineProcess(env);
    const db = new Database(env.DATABASE_PATH);
    db.pragma('busy_timeout = 5000');
    const processed = () => (db.prepare(`SELECT COUNT(*) AS n FROM inbox WHERE "processedAt" IS NOT NULL`).get() as { n: number }).n;
    const send = (id: string) =>
      fetch(`${engine.url}/kite/postback`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: JSON.stringify(orderUpdate(id, 'COMPLETE', 1, 1, 100, '2026-11-25 10:00:00')),
      });
    try {
      expect((await send('6100000000000000001')).status).toBe(200);
      await eventually(() => processed() === 1, 'the first postback processed');

      // The outbox table disappears under the engine: every read or write of it fails.
      db.exec('ALTER TABLE order_events RENAME TO order_events_away');
      // Still acknowledged: the inbox takes it, processing cannot.
      expect((await send('6100000000000000002')).status).toBe(200);
      const failing = await eventually(
        async () => {
          const res = await fetch(`${engine.url}/health/ready`);
          const body = (await res.json()) as { error?: { inbox?: { processing?: { ok: boolean } } } };
          return res.status === 503 && body.error?.inbox?.processing?.ok === false ? body.error.inbox : null;
        },
        'readiness reporting the failing processor',
        15_000,
      );
      expect(failing).toMatchObject({
        status: 'down',
        backlog: 1,
        processing: { ok: false, consecutiveFailures: expect.any(Number), lastError: expect.stringMatching(/order_events/) },
      });
      expect(await metric(engine.url, 'legwork_inbox_processor_errors_total')).toBeGreaterThanOrEqual(1);
      // Alive: liveness answers, the process has not exited.
      expect((await fetch(`${engine.url}/health`)).status).toBe(200);
      expect(engine.child.exitCode).toBeNull();

      // The database recovers. Nothing is sent or kicked: the processor's own retry picks the entry up.
      db.exec('ALTER TABLE order_events_away RENAME TO order_events');
      await eventually(() => processed() === 2, 'the acknowledged postback processed after the recovery', 45_000);
      await eventually(async () => (await fetch(`${engine.url}/health/ready`)).status === 200, 'ready again', 10_000);
      // Applied, not parked as failed: a failing database is not the entry's fault.
      expect(db.prepare(`SELECT outcome FROM inbox WHERE "orderId" = '6100000000000000002'`).get()).toEqual({ outcome: 'applied' });
      expect(engine.child.exitCode).toBeNull();
    } finally {
      db.close();
      await engine.stop();
    }
  }, 120_000);
});
