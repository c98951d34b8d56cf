import { Injectable } from '@nestjs/common';
import { join } from 'node:path';
import { Leg } from '../../src/broker/entities/leg.entity';
import { runKillSwitch } from '../../src/cli/killswitch.cli';
import { GttService } from '../../src/gtt/gtt.service';
import type { Alert } from '../../src/notifier/alert';
import { Notifier } from '../../src/notifier/notifier.service';
import { Gtt } from '../../src/gtt/entities/gtt.entity';
import { ExternalOrder } from '../../src/rails/entities/external-order.entity';
import type { KiteSimulator } from '../../src/simulator';
import { TradeLogService } from '../../src/trade-log/trade-log.service';
import { engineEnv, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

/** Records alerts from construction on, so those raised by the first inbox pass at start are seen too. */
@Injectable()
class StartAlerts {
  static readonly alerts: Alert[] = [];
  constructor(notifier: Notifier) {
    const notify = notifier.notify.bind(notifier);
    notifier.notify = (alert: Alert) => {
      StartAlerts.alerts.push(alert);
      notify(alert);
    };
  }
}

/**
 * Protection that survives the engine: the GTT fires at Kite while legwork is down. At the next start, the boot
 * reconciliation brings in the fired order (untagged, no postback was ever sent), and the GTTs read back from Kite
 * link it to its chain before its events reach the strategies. Nothing is placed again.
 */
describe('GTT fired while the engine was down', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ startPrices: { INFY: 1550 } });
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  afterAll(async () => {
    await sim.stop();
    tmp.cleanup();
  });

  it('links the fired order to the entry’s chain at the next start, and places nothing again', async () => {
    const env = engineEnv(sim, tmp.dir, { STRATEGIES: 'oco-protect' });
    t = await startEngine(sim, env);
    const { order_id: entry } = await place(kiteFor(sim), {
      ...sbinBuy(),
      exchange: 'NSE',
      tradingsymbol: 'INFY',
      order_type: 'MARKET',
      price: 0,
      quantity: 5,
      tag: 'ocoprot',
    });
    const gtt = await eventually(async () => {
      await sim.flushPostbacks();
      await t!.settle();
      return (await t!.dataSource.getRepository(Gtt).findOneBy({ parentOrderId: entry, status: 'active' })) ?? null;
    }, 'the GTT placed');
    await t.close();
    t = undefined;

    sim.setPrice('INFY', 1515); // below the stop trigger (1519) while nobody is watching
    const fired = sim.getGtt(gtt.triggerId!).orders[0].result!.order_result.order_id;
    expect(sim.getOrder(fired)).toMatchObject({ status: 'COMPLETE', tag: null });
    const placements = sim.requests.filter((r) => r.method === 'POST' && r.path === '/gtt/triggers').length;

    t = await startEngine(sim, env, [StartAlerts]);
    await t.settle();
    const leg = await eventually(() => t!.dataSource.getRepository(Leg).findOneBy({ orderId: fired }), 'the fired order linked');
    expect(leg).toMatchObject({ strategy: 'oco-protect', chainId: entry, legName: 'protect:stop', status: 'placed' });
    expect(await t.dataSource.getRepository(Gtt).findOneByOrFail({ id: gtt.id })).toMatchObject({ status: 'triggered', triggerId: gtt.triggerId });
    expect(await t.dataSource.getRepository(ExternalOrder).findOneBy({ orderId: fired })).toBeNull();
    const [chain] = await t.app.get(TradeLogService).chains({ chain: entry });
    expect(chain.timeline.map((step) => step.legName)).toEqual(['entry', 'protect:stop']);
    expect(chain.pnl.openQuantity).toBe(0);
    expect(sim.requests.filter((r) => r.method === 'POST' && r.path === '/gtt/triggers')).toHaveLength(placements);
    // The strategy got the fired order's completion as its own leg's event.
    expect(StartAlerts.alerts).toContainEqual(
      expect.objectContaining({ title: 'oco-protect: stop-loss filled on INFY', fields: { chain: entry, leg: 'protect:stop' } }),
    );
  });

  it('npm run killswitch -- trip --cancel-open with no engine running deletes legwork’s live GTTs through Kite', async () => {
    const dir = join(tmp.dir, 'offline');
    const env = engineEnv(sim, dir, { STRATEGIES: 'none' });
    t = await startEngine(sim, env);
    const placed = await t.app.get(GttService).place({
      strategy: 'ks-test',
      parentOrderId: '990001',
      name: 'stop',
      spec: {
        exchange: 'NSE',
        tradingsymbol: 'INFY',
        lastPrice: sim.getPrice('INFY'),
        trigger: 1300,
        order: { transaction_type: 'SELL', quantity: 1, product: 'CNC', price: 1295 },
      },
    });
    expect(placed.status).toBe('active');
    await t.close();
    t = undefined;

    const lines: string[] = [];
    await runKillSwitch('trip', {
      url: 'http://127.0.0.1:1', // nothing listens: the CLI works on the file and Kite directly
      db: env.DATABASE_PATH,
      reason: 'engine down, flatten',
      cancelOpen: true,
      kite: { apiKey: sim.options.apiKey, accessToken: sim.options.accessToken, rootUrl: sim.url },
      print: (line) => lines.push(line),
    });
    expect(lines).toContain(`GTTs deleted: ${placed.triggerId}`);
    expect(sim.getGtt(placed.triggerId!).status).toBe('deleted');
    t = await startEngine(sim, env);
    expect(await t.dataSource.getRepository(Gtt).findOneByOrFail({ id: placed.gttId })).toMatchObject({ status: 'deleted' });
  });
});
