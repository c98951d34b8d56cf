import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { sqliteDataSourceOptions } from '../../src/database/data-source.options';
import { ENTITIES } from '../../src/entities';
import { Fill } from '../../src/orders/entities/fill.entity';
import { Order } from '../../src/orders/entities/order.entity';
import { orderUpdate } from '../helpers/postbacks';
import { createTestApp, tempDir, testEnv } from '../helpers/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const cli = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/cli/postbacks.cli.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
  });

async function ordersAndFills(path: string) {
  const ds = await new DataSource({ ...sqliteDataSourceOptions({ path, synchronous: 'NORMAL' }, ENTITIES), migrationsRun: false }).initialize();
  try {
    const orders = (await ds.getRepository(Order).find({ order: { orderId: 'ASC' } })).map((o) => [o.orderId, o.status, o.filledQuantity, o.averagePrice]);
    const fills = (await ds.getRepository(Fill).find({ order: { orderId: 'ASC', cumulativeQuantity: 'ASC' } })).map((f) => [f.orderId, f.quantity, f.price]);
    return { orders, fills };
  } finally {
    await ds.destroy();
  }
}

describe('postback tools: sender, export, replay', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it("the sender's checksum is accepted by the engine; a wrong secret is refused", async () => {
    const t = await createTestApp(testEnv(tmp.dir, { DATABASE_PATH: join(tmp.dir, 'send.sqlite') }), { listen: true });
    try {
      const url = `${await t.app.getUrl()}/kite/postback`.replace('[::1]', '127.0.0.1');
      const ok = await cli([
        'send',
        '--url',
        url,
        '--secret',
        '0hdv7iw5examplesecret',
        '--set',
        'order_id=7000000000000000001',
        'status=OPEN',
        'filled_quantity=0',
      ]);
      expect(ok.stdout).toMatch(/^200 order 7000000000000000001 OPEN/);
      const bad = await cli(['send', '--url', url, '--secret', 'not-the-secret']).catch((e: { stdout: string; code: number }) => e);
      expect(bad.stdout).toMatch(/^403 /);
      expect((bad as { code?: number }).code).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('a recorded day replayed into a fresh database yields the same orders and fills', async () => {
    const original = join(tmp.dir, 'day.sqlite');
    const t = await createTestApp(testEnv(tmp.dir, { DATABASE_PATH: original }), { listen: true });
    const url = `${await t.app.getUrl()}/kite/postback`.replace('[::1]', '127.0.0.1');
    const day = [
      orderUpdate('7100000000000000001', 'OPEN', 0, 10, 0, '2026-11-25 09:15:00'),
      orderUpdate('7100000000000000001', 'UPDATE', 3, 10, 100, '2026-11-25 09:15:01'),
      orderUpdate('7100000000000000001', 'UPDATE', 3, 10, 100, '2026-11-25 09:15:01'), // Kite repeating itself
      orderUpdate('7100000000000000001', 'COMPLETE', 10, 10, 101.3, '2026-11-25 09:15:03'),
      orderUpdate('7100000000000000001', 'UPDATE', 7, 10, 101, '2026-11-25 09:15:02'), // late
      orderUpdate('7100000000000000002', 'REJECTED', 0, 5, 0, '2026-11-25 09:16:00', { status_message: 'RMS: blocked' }),
    ];
    for (const body of day) {
      const res = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
      expect(res.status).toBe(200);
    }
    await t.settle();
    await t.close();

    const today = new Date().toISOString().slice(0, 10);
    const exportFile = join(tmp.dir, 'day.jsonl');
    const exported = await cli(['export', '--date', today, '--db', original, '--out', exportFile]);
    expect(exported.stderr).toMatch(/exported 5 postback\(s\)/);
    expect(readFileSync(exportFile, 'utf8').trim().split('\n')).toHaveLength(5);

    const replayed = join(tmp.dir, 'replayed.sqlite');
    const result = await cli(['replay', '--file', exportFile, '--db', replayed]);
    expect(result.stderr).toMatch(/replayed 5 postback\(s\)/);
    expect(await ordersAndFills(replayed)).toEqual(await ordersAndFills(original));
    expect((await ordersAndFills(replayed)).fills).toEqual([
      ['7100000000000000001', 3, 100],
      ['7100000000000000001', 7, 101.857143],
    ]);
  }, 60_000);
});
