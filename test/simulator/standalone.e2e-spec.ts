import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { KiteConnect } from 'kiteconnect';
import { KiteSimulator } from '../../src/simulator';
import { kiteFor, place, rejectionOf, sbinBuy } from './kite-client';
import { PostbackReceiver } from './postback-receiver';

const control = async (sim: { url: string }, path: string, body?: object): Promise<Record<string, unknown>> => {
  const response = await fetch(`${sim.url}/_sim/${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
};

describe('KiteSimulator /_sim control routes', () => {
  let sim: KiteSimulator;
  let receiver: PostbackReceiver;

  beforeEach(async () => {
    receiver = await new PostbackReceiver().start();
    sim = await new KiteSimulator({ startPrices: { SBIN: 470 } }).start();
  });
  afterEach(async () => {
    await sim.stop();
    await receiver.stop();
  });

  it('drives prices, fills, faults and postbacks over HTTP without auth', async () => {
    const kite = kiteFor(sim);
    expect(await control(sim, 'price', { tradingsymbol: 'SBIN', price: 480.02 })).toEqual({ status: 'success', data: { price: 480 } });
    expect(await control(sim, 'tick', { n: 3 })).toEqual({ status: 'success', data: true });

    await control(sim, 'postback_url', { url: receiver.url });
    await control(sim, 'postback_faults', { duplicate: true });
    const { order_id } = await place(kite, sbinBuy({ price: 400 }));
    const filled = await control(sim, `orders/${order_id}/fill`, { quantity: 10 });
    expect(filled.data).toMatchObject({ status: 'COMPLETE', average_price: 400 });
    expect((await control(sim, 'flush', {})).data).toMatchObject({ sent: 2 });
    expect(receiver.received).toHaveLength(2);

    await control(sim, 'placement_fault', { kind: 'error', count: 1, status: 503 });
    expect(await rejectionOf(place(kite, sbinBuy()))).toMatchObject({ error_type: 'NetworkException' });

    const state = await control(sim, 'state');
    expect(state.data).toMatchObject({ postback_faults: { duplicate: true }, placement_fault: null, prices: { SBIN: expect.any(Number) } });
    expect(await control(sim, `orders/${order_id}/fill`, { quantity: 1 })).toMatchObject({ status: 'error', error_type: 'InputException' });
    expect(((await control(sim, 'request_token', {})).data as { request_token: string }).request_token).toMatch(/^[0-9a-f]{32}$/);
    // Control calls are not Kite API traffic: only the two placements were recorded.
    expect(sim.requests.map((request) => request.path)).toEqual(['/orders/regular', '/orders/regular']);
  });
});

describe('standalone simulator (src/simulator/main.ts)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('starts from SIM_* variables, serves the official client, and exits 0 on SIGTERM', async () => {
    const root = join(__dirname, '..', '..');
    child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(root, 'src/simulator/main.ts')], {
      cwd: root,
      env: { ...process.env, SIM_PORT: '0', SIM_API_KEY: 'envkey', SIM_ACCESS_TOKEN: 'envtoken', SIM_START_PRICES: 'SBIN=470', SIM_AUTO_TICK_MS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /root=(http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      child!.once('exit', (code) => reject(new Error(`simulator exited early (${code}): ${output}`)));
    });

    const kite = new KiteConnect({ api_key: 'envkey', access_token: 'envtoken', root: url });
    const { order_id } = await place(kite, sbinBuy({ order_type: 'MARKET', price: undefined }));
    expect((await kite.getOrderHistory(order_id)).at(-1)).toMatchObject({ status: 'COMPLETE', average_price: 470 });

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
