import { join } from 'node:path';
import { runDemo } from '../../src/cli/demo.cli';
import { startEngineProcess, EngineProcess } from '../helpers/engine-process';
import { tempDir } from '../helpers/test-app';

/** `npm start` with no Kite credentials, then `npm run demo` against it: the whole chain over real HTTP both ways. */
describe('paper mode end to end: the demo chain through the real engine process and its built-in simulator', () => {
  const tmp = tempDir();
  let engine: EngineProcess;
  beforeAll(async () => {
    engine = await startEngineProcess({
      DATABASE_PATH: join(tmp.dir, 'paper.sqlite'),
      LOG_FORMAT: 'json',
      SIM_SEED: '11',
      SIM_START_PRICES: 'SBIN=470',
    });
  }, 90_000);
  afterAll(async () => {
    await engine?.stop();
    tmp.cleanup();
  });

  it('entry placed → postbacks → fills → exit leg placed by two-leg → its fills → P&L, all in the trade log', async () => {
    expect(engine.output()).toMatch(/PAPER MODE/);
    const lines: string[] = [];
    const { entry, exit } = await runDemo({ url: engine.url, symbol: 'SBIN', quantity: 10, timeoutSeconds: 45, print: (l) => lines.push(l) });
    const text = lines.join('\n');
    // The demo bids 0.5 above the market it reads; the paper market ticks every second from 470, so the exact price
    // depends on how long the engine took to start (it was 470.5 only when no tick came first).
    expect(text).toMatch(new RegExp(`entry placed: BUY 10 SBIN LIMIT 4[67]\\d(\\.\\d+)? tag=twoleg → order ${entry}`));
    expect(text).toMatch(new RegExp(`entry ${entry}\\s+order.filled`));
    expect(text).toMatch(/entry COMPLETE: 10 @ average/);
    expect(text).toMatch(new RegExp(`exit leg placed by two-leg: SELL 10 SBIN LIMIT [\\d.]+ tag=lw[0-9a-f]{18} → order ${exit}`));
    expect(text).toMatch(new RegExp(`exit\\s+${exit}\\s+order.completed`));
    expect(text).toMatch(/realised P&L: 50\.00/); // 10 × the 5-point target

    // The trade log agrees: one chain, the entry and its exit, both complete, fills summing to 10 each.
    const res = await fetch(`${engine.url}/api/trade-log/chains?chain=${entry}`);
    const { chains } = (await res.json()) as {
      chains: Array<{ timeline: Array<{ kind: string; order: { orderId: string; status: string; filledQuantity: number } | null }> }>;
    };
    expect(chains).toHaveLength(1);
    expect(chains[0].timeline.map((i) => [i.kind, i.order?.orderId, i.order?.status, i.order?.filledQuantity])).toEqual([
      ['entry', entry, 'COMPLETE', 10],
      ['leg', exit, 'COMPLETE', 10],
    ]);
  }, 90_000);

  it('explains what to do when pointed at nothing, or at a non-paper engine', async () => {
    await expect(runDemo({ url: 'http://127.0.0.1:9', symbol: 'SBIN', quantity: 1, timeoutSeconds: 1, print: () => undefined })).rejects.toThrow(
      /start it first with `npm start`/,
    );
  });
});
