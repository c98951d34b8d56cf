import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { legTag } from '../../src/broker/leg-tag';
import { OrderEventPublisher } from '../../src/orders/order-event.publisher';
import { slowExit } from '../fixtures/strategies-overrun/slow-exit.strategy';
import { startEngineProcess } from '../helpers/engine-process';
import { engineEnv, legPlacements, omsOrdersTagged, simulatorForSuite, startEngine } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { orderUpdate, signedPostback } from '../helpers/postbacks';

const FIXTURES = resolve(__dirname, '..', 'fixtures', 'strategies-overrun');
let nextEntry = 270000000000100;

/** The COMPLETE postback of an entry tagged `slowexit`, sent straight to the engine. */
async function enter(engineUrl: string): Promise<{ entry: string; tag: string }> {
  const entry = String(nextEntry++);
  const body = signedPostback({
    order_id: entry,
    status: 'COMPLETE',
    tag: 'slowexit',
    exchange: 'NSE',
    tradingsymbol: 'SBIN',
    transaction_type: 'BUY',
    product: 'MIS',
    order_type: 'MARKET',
    quantity: 4,
    filled_quantity: 4,
    pending_quantity: 0,
    average_price: 470,
    price: 0,
  });
  const res = await fetch(`${engineUrl}/kite/postback`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`postback answered ${res.status}`);
  return { entry, tag: legTag('slow-exit', entry, 'exit') };
}

/** dispatchedAt of the order.completed event of an order, read from the store file (another connection). */
function completedDispatchedAt(file: string, orderId: string): string | null | undefined {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare(`SELECT "dispatchedAt" FROM order_events WHERE "orderId" = ? AND type = 'order.completed'`).get(orderId) as
      { dispatchedAt: string | null } | undefined;
    return row ? row.dispatchedAt : undefined;
  } finally {
    db.close();
  }
}

describe('a strategy handler that outlives STRATEGY_TIMEOUT_MS', () => {
  const suite = simulatorForSuite();

  it('does not get its event marked delivered while it may still be running; once it finishes, it does', async () => {
    const { sim, dir } = suite;
    const file = join(dir, 'inproc.sqlite');
    const t = await startEngine(
      sim,
      engineEnv(sim, dir, { STRATEGIES_DIR: FIXTURES, STRATEGIES: 'slow-exit', STRATEGY_TIMEOUT_MS: '100', DATABASE_PATH: file }),
    );
    try {
      const url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
      const { entry, tag } = await enter(url);
      await eventually(() => legPlacements(sim, tag).length === 1, 'the exit leg at Kite');
      // The host gave up waiting (its timeout is counted), the handler is still running.
      await eventually(
        async () => /legwork_strategy_failures_total\{[^}]*kind="timeout"[^}]*\} [1-9]/.test(await (await fetch(`${url}/metrics`)).text()),
        'the handler timeout',
      );
      const publisher = t.app.get(OrderEventPublisher);
      await publisher.flushMarks();
      expect(completedDispatchedAt(file, entry)).toBeNull();

      slowExit.release();
      await eventually(async () => {
        await publisher.flushMarks();
        return completedDispatchedAt(file, entry);
      }, 'the event marked delivered once the handler finished');
      expect(omsOrdersTagged(sim, tag)).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('after a crash while it still runs, the event is delivered again, and the leg stays placed once', async () => {
    const { sim, dir } = suite;
    const file = join(dir, 'crash.sqlite');
    const env = (hold: string) =>
      engineEnv(sim, dir, {
        STRATEGIES_DIR: FIXTURES,
        STRATEGIES: 'slow-exit',
        STRATEGY_TIMEOUT_MS: '100',
        SLOW_EXIT_HOLD: hold,
        PAPER_SIMULATOR: 'false',
        LOG_FORMAT: 'json',
        DATABASE_PATH: file,
      });
    let engine = await startEngineProcess(env('forever'));
    let entry = '';
    let tag = '';
    try {
      sim.setPostbackUrl(`${engine.url}/kite/postback`);
      ({ entry, tag } = await enter(engine.url));
      await eventually(
        () => legPlacements(sim, tag).length === 1 && /still running after 100 ms/.test(engine.output()),
        'the exit leg placed and the handler timed out',
        20_000,
      );
      // Another order's events are published and marked after the overrun: the engine has had every chance to mark.
      const other = '270000000000999';
      await fetch(`${engine.url}/kite/postback`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: JSON.stringify(orderUpdate(other, 'COMPLETE', 1, 1, 100, '2026-11-25 10:00:00')),
      });
      await eventually(() => completedDispatchedAt(file, other), 'the later event marked delivered', 10_000);
      expect(completedDispatchedAt(file, entry)).toBeNull();
    } finally {
      await engine.kill9();
    }

    engine = await startEngineProcess(env('none'));
    try {
      sim.setPostbackUrl(`${engine.url}/kite/postback`);
      await eventually(() => completedDispatchedAt(file, entry), 'the event delivered again and marked', 20_000);
      expect(engine.output()).toContain(`slow-exit handling entry ${entry}`);
    } finally {
      await engine.stop();
    }
    // The re-delivery found the leg by its key: one placement, one order at Kite.
    expect(legPlacements(sim, tag)).toHaveLength(1);
    expect(omsOrdersTagged(sim, tag)).toHaveLength(1);
  }, 90_000);
});
