import { ServerResponse } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WriteTransactions } from '../../src/database/write-transactions';
import { KILL_AFTER_ACK_ENV } from '../../src/postback/ack-fault-hook';
import { startEngineProcess } from '../helpers/engine-process';
import { eventually } from '../helpers/eventually';
import { orderUpdate } from '../helpers/postbacks';
import { createTestApp, tempDir, testEnv } from '../helpers/test-app';

const postback = (id: string) => JSON.stringify(orderUpdate(id, 'COMPLETE', 2, 2, 101.5, '2026-11-25 11:00:00'));
const send = (url: string, id: string) =>
  fetch(`${url}/kite/postback`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: postback(id) });

/** Rows of the inbox for an order, read through a connection of our own: what is committed, not what the engine holds. */
function storedRows(file: string, orderId: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM inbox WHERE "orderId" = ?`).get(orderId) as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('a postback is acknowledged only once it is durable', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('the 200 is written only after the inbox commit and its fdatasync have returned', async () => {
    const file = join(tmp.dir, 'seam.sqlite');
    const t = await createTestApp(testEnv(tmp.dir, { DATABASE_PATH: file }), { listen: true });
    const order = '6200000000000000001';
    const log: string[] = [];
    // The seam: sync() is called right after a durable COMMIT returned, and answers once its fdatasync has.
    const commits = await t.app.get(WriteTransactions).durableCommits();
    const sync = commits.sync.bind(commits);
    const seam = jest.spyOn(commits, 'sync').mockImplementation(async () => {
      log.push(`committed (rows visible to another connection: ${storedRows(file, order)})`);
      // Turns of the event loop (a count, not a clock) in which an answer that does not wait for this sync would go out.
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      await sync();
      log.push('fdatasync returned');
    });
    // The answer leaves when express ends the response.
    // Read off the prototype (not as a method): called below with the response as `this`.
    const originalEnd = Reflect.get(ServerResponse.prototype, 'end') as (this: ServerResponse, ...args: Parameters<ServerResponse['end']>) => ServerResponse;
    const end = jest.spyOn(ServerResponse.prototype, 'end').mockImplementation(function (this: ServerResponse, ...args: unknown[]) {
      if (this.req?.url?.startsWith('/kite/postback')) log.push(`answered ${this.statusCode}`);
      return originalEnd.apply(this, args as Parameters<ServerResponse['end']>);
    });
    try {
      const url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
      const res = await send(url, order);
      expect(res.status).toBe(200);
      expect(log).toEqual(['committed (rows visible to another connection: 1)', 'fdatasync returned', 'answered 200']);
      expect(seam).toHaveBeenCalledTimes(1);
    } finally {
      end.mockRestore();
      seam.mockRestore();
      await t.close();
    }
  });

  it(`a kill -9 right after the 200 (${KILL_AFTER_ACK_ENV}) loses nothing: the acknowledged postback is there and processed after the restart`, async () => {
    const file = join(tmp.dir, 'killed.sqlite');
    const env = testEnv(tmp.dir, { DATABASE_PATH: file });
    // The engine kills itself right after writing its 3rd 200: the last acknowledged postback is in the window.
    let engine = await startEngineProcess({ ...env, [KILL_AFTER_ACK_ENV]: '3' });
    const acknowledged: string[] = [];
    for (let i = 1; i <= 10; i++) {
      const id = String(6300000000000000000n + BigInt(i));
      const res = await send(engine.url, id).catch(() => null);
      if (res?.status !== 200) break;
      acknowledged.push(id);
    }
    await eventually(() => engine.child.signalCode === 'SIGKILL', 'the engine killed by its fault hook');
    expect(acknowledged).toHaveLength(3);

    engine = await startEngineProcess(env);
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const outcomes = () =>
          acknowledged.map((id) => (db.prepare(`SELECT outcome FROM inbox WHERE "orderId" = ?`).get(id) as { outcome: string | null } | undefined)?.outcome);
        await eventually(() => outcomes().every((o) => o === 'applied'), 'every acknowledged postback stored and processed', 20_000);
        expect(outcomes()).toEqual(['applied', 'applied', 'applied']);
        const orders = db.prepare(`SELECT "orderId", status FROM orders ORDER BY "orderId"`).all();
        expect(orders).toEqual(acknowledged.map((orderId) => ({ orderId, status: 'COMPLETE' })));
      } finally {
        db.close();
      }
    } finally {
      await engine.stop();
    }
  }, 90_000);
});
