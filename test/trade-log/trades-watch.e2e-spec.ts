import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../src/cli/trades.cli';
import { WATCH_TITLE } from '../../src/cli/trades-watch';
import { eventually } from '../helpers/eventually';
import { orderUpdate } from '../helpers/postbacks';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';
import { DAY, seedTradeLog } from './seed';

const ROOT = join(__dirname, '..', '..');
const TOKEN = 'trade-log-watch-token-0123';

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `npm run trades -- watch` in-process, output captured, stopped by abort(). */
function watch(args: string[], env: Record<string, string> = {}) {
  const stop = new AbortController();
  const io = { out: '', err: '' };
  const done = main(['watch', ...args], { out: (t) => (io.out += t), err: (t) => (io.err += t), env, signal: stop.signal, isTTY: false });
  /** The newest complete view printed so far. */
  const latest = () => {
    const views = io.out.split(`\n${WATCH_TITLE}`);
    return views.length > 1 ? `${WATCH_TITLE}${views[views.length - 1]}` : '';
  };
  return { io, done, latest, stop: () => stop.abort() };
}

describe('npm run trades -- watch (live terminal view)', () => {
  const tmp = tempDir('legwork-trades-watch-');
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    await seedTradeLog(tmp.dir);
    t = await createTestApp(testEnv(tmp.dir, { RECONCILE_ON_BOOT: 'false', TRADE_LOG_TOKEN: TOKEN }), { listen: true });
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    tmp.cleanup();
  });

  let stopWatching: (() => void) | undefined;
  afterEach(() => stopWatching?.());

  it("shows the engine's state, P&L per strategy and positions, and redraws when an order changes", async () => {
    const w = watch(['--url', base, '--date', DAY], { TRADE_LOG_TOKEN: TOKEN });
    stopWatching = w.stop;
    await eventually(() => w.latest().includes('│ Total    │      3 │           1 │          65 │   672.00 │'), 'the first view with P&L', 10_000);
    const first = w.latest();
    expect(first).toContain(`${WATCH_TITLE} · ${base} · day ${DAY} (IST)`);
    expect(first).toMatch(/^engine {7}PAPER · single instance · live stream connected$/m);
    expect(first).toMatch(/^kill switch {2}armed$/m);
    expect(first).toMatch(/^orders {7}this minute 0\/400 · this second 0\/10 · today 0\/5000 · queued 0$/m);
    expect(first).toMatch(/^inbox {8}backlog 0 \(ready up to 1000\) · Kite order stream off$/m);
    expect(first).toMatch(/^reconcile {4}not run since the engine started$/m);
    expect(first).toContain('│ hedger   │      1 │           1 │          50 │   525.00 │');
    expect(first).toContain('│ NIFTY25NOV24000CE │     +25 │    120.50 │            — │');
    expect(first).toContain('│ hedger           │ NIFTY25NOV24000CE │     +25 │    120.50 │');

    // The open exit of the hedger's chain fills its last 25 at 131 (a postback through the engine's real route).
    const body = orderUpdate('251125000000009', 'COMPLETE', 75, 75, 131, `${DAY} 15:05:00`, {
      order_timestamp: `${DAY} 13:00:03`,
      tradingsymbol: 'NIFTY25NOV24000CE',
      exchange: 'NFO',
      transaction_type: 'SELL',
      product: 'MIS',
      price: 131,
      tag: 'LWhdgC1exit',
    });
    const res = await fetch(`${base}/kite/postback`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);

    // 75 × (131 − 120.50) = 787.50 for the hedger; the call is flat (the chain stays open: its put is still short).
    await eventually(() => w.latest().includes('│ hedger   │      1 │           1 │          75 │   787.50 │'), 'the redrawn P&L', 10_000);
    const second = w.latest();
    expect(second).toContain('│ Total    │      3 │           1 │          90 │   934.50 │');
    expect(second).toContain('│ NIFTY25NOV24000CE │       0 │           │            — │');
    expect(second).toMatch(/^last change {2}\d\d:\d\d:\d\d IST: 1 order\(s\)$/m);

    w.stop();
    expect(await w.done).toBe(0);
    expect(w.io.err).toBe('');
  });

  it('says clearly when no engine answers (exit code 2), and when the engine refuses the token (exit code 1)', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const none = watch(['--url', url]);
    expect(await none.done).toBe(2);
    expect(none.io.err).toBe(`trades watch: no engine answering at ${url} (start it with npm start, or pass --url)\n`);

    const refused = watch(['--url', base, '--token', 'not-the-token-000000']);
    expect(await refused.done).toBe(1);
    expect(refused.io.err).toBe('trades watch: GET /api/trade-log/engine answered 401: wrong trade-log token\n');
    expect(refused.io.out).toBe('');
  });

  describe('as a process without a terminal', () => {
    const cli = ['-r', require.resolve('ts-node/register/transpile-only'), join(ROOT, 'src', 'cli', 'trades.cli.ts'), 'watch'];
    const env = { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') };
    let child: ChildProcess | undefined;
    afterEach(() => child?.kill('SIGKILL'));

    it('prints views to a pipe and stops on Ctrl-C (SIGINT) with exit code 0', async () => {
      child = spawn(process.execPath, [...cli, '--url', base, '--date', DAY], {
        cwd: tmp.dir,
        env: { ...env, TRADE_LOG_TOKEN: TOKEN },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout!.on('data', (chunk) => (out += chunk));
      child.stderr!.on('data', (chunk) => (err += chunk));
      const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
      await eventually(() => out.includes('P&L per strategy') && out.includes('Positions per strategy'), 'a view on stdout', 30_000);
      expect(out).not.toContain('\x1b['); // no screen control codes in a pipe
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(err).toBe('');
    }, 60_000);

    it('exits with 2 and a clear message when no engine runs', async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const result = await promisify(execFile)(process.execPath, [...cli, '--url', url], { cwd: tmp.dir, env }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(result).toEqual({ code: 2, stderr: `trades watch: no engine answering at ${url} (start it with npm start, or pass --url)\n` });
    }, 60_000);
  });
});
