import { join } from 'node:path';
import request from 'supertest';
import { Leg } from '../../src/broker/entities/leg.entity';
import { OrderGateway } from '../../src/broker/order-gateway.service';
import type { LegOrder } from '../../src/broker/leg-order';
import { runKillSwitch } from '../../src/cli/killswitch.cli';
import { KillSwitchService } from '../../src/rails/kill-switch.service';
import { OrderPacer } from '../../src/rails/rate-limits';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, legPlacements, omsOrdersTagged, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { restingSell } from '../helpers/legs';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

/** Records, each time the engine's pacer lets an order action go, the pacer's own count of its last rolling second. */
function recordPacerDecisions(pacer: OrderPacer): number[] {
  const lastSecond: number[] = [];
  const take = pacer.take.bind(pacer);
  pacer.take = async () => {
    await take();
    lastSecond.push(pacer.usage().perSecond.used);
  };
  return lastSecond;
}

// Each test starts its own simulator (with Kite's own 429 above 10/s) and engine on its own trade log: no test
// depends on what another left behind, and any one runs alone (jest -t) or in any order.
describe('safety rails in the order gateway, against the simulator', () => {
  let tmp: ReturnType<typeof tempDir>;
  let sim: KiteSimulator;
  let t: TestApp;
  let db: string;
  const start = async (extra: Record<string, string> = {}) => (t = await startEngine(sim, engineEnv(sim, tmp.dir, { DATABASE_PATH: db, ...extra })));

  beforeEach(async () => {
    tmp = tempDir();
    db = join(tmp.dir, 'rails.sqlite');
    sim = await startSimulator({ orderRateLimitPerSecond: 10 });
  });
  afterEach(async () => {
    await t?.close().catch(() => undefined); // a test may have closed it already
    await sim?.stop();
    tmp.cleanup();
  });
  let parent = 700000;
  const placeLeg = (order: LegOrder, legName = 'leg') =>
    t.app.get(OrderGateway).placeLeg({ strategy: 'rails-test', parentOrderId: String(parent++), legName, order });

  it('30 legs submitted at once all leave, in order, each once, never more than 10 in a rolling second', async () => {
    await start();
    const decisions = recordPacerDecisions(t.app.get(OrderPacer));
    sim.clearRequests();
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => placeLeg(restingSell(900 + i))));
    expect(outcomes.map((o) => o.status)).toEqual(Array(30).fill('placed'));
    // Each leg is in Kite's book exactly once (a 429 from the simulator, if any, is retried only after a tag lookup).
    for (const o of outcomes) expect(omsOrdersTagged(sim, o.tag)).toHaveLength(1);
    // FIFO: their first placement requests reached Kite in the order the legs were submitted.
    const requests = legPlacements(sim);
    const firstRequest = outcomes.map((o) => requests.findIndex((r) => r.body.tag === o.tag));
    expect(firstRequest).toEqual([...firstRequest].sort((a, b) => a - b));
    // The pacer's decisions: one for every request that left (retries pass the rails too), and at each its own count
    // of the last rolling second never went past the limit.
    expect(decisions).toHaveLength(requests.length);
    expect(Math.max(...decisions)).toBeLessThanOrEqual(10);
  }, 30_000);

  it('refuses a MARKET order with no market protection before it leaves, with a clear message', async () => {
    await start();
    sim.clearRequests();
    const outcome = await placeLeg({ ...restingSell(0), order_type: 'MARKET', price: undefined });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({
      errorType: 'MarketProtectionRequired',
      message: expect.stringMatching(/MARKET orders need a non-zero market_protection/),
    });
    expect(legPlacements(sim)).toHaveLength(0);
    const leg = await t.dataSource.getRepository(Leg).findOneByOrFail({ id: outcome.legId });
    expect([leg.status, leg.errorType]).toEqual(['failed', 'MarketProtectionRequired']);
  });

  it('kill switch: stops placement at once, cancels open legwork orders, survives a restart, and re-arms', async () => {
    await start();
    const resting = [await placeLeg(restingSell(999)), await placeLeg(restingSell(998))]; // SELLs far above the market: stay OPEN
    const done = await placeLeg(restingSell(997));
    sim.fillOrder(done.orderId!, 1); // a legwork order that is over: nothing to cancel
    const someoneElses = (await place(kiteFor(sim), sbinBuy({ price: 300 }))).order_id; // not legwork's: left alone
    expect([...resting, done].map((o) => o.status)).toEqual(['placed', 'placed', 'placed']);

    const tripped = await request(t.app.getHttpServer()).post('/rails/kill-switch').send({ reason: 'test: market went crazy', cancelOpen: true });
    expect(tripped.status).toBe(200);
    expect(tripped.body).toMatchObject({ tripped: true, reason: 'test: market went crazy', changedBy: 'http', cancelFailures: [] });
    // Every open order legwork placed, and only those.
    expect([...tripped.body.cancelled].sort()).toEqual(resting.map((o) => o.orderId).sort());
    expect(resting.map((o) => sim.getOrder(o.orderId!)!.status)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(sim.getOrder(done.orderId!)!.status).toBe('COMPLETE');
    expect(sim.getOrder(someoneElses)!.status).toBe('OPEN');

    const refused = await placeLeg(restingSell(996));
    expect(refused).toMatchObject({ status: 'failed', error: { errorType: 'KillSwitch' } });
    expect(legPlacements(sim, refused.tag)).toHaveLength(0);

    // Restart on the same trade log: still stopped, and readiness says so.
    await t.close();
    await start();
    expect((await t.app.get(KillSwitchService).status()).tripped).toBe(true);
    const ready = await request(t.app.getHttpServer()).get('/health/ready');
    expect(ready.body.details.killSwitch).toMatchObject({ status: 'up', tripped: true, reason: 'test: market went crazy' });
    expect(await placeLeg(restingSell(995))).toMatchObject({ status: 'failed', error: { errorType: 'KillSwitch' } });

    expect((await request(t.app.getHttpServer()).delete('/rails/kill-switch')).body).toMatchObject({ tripped: false });
    expect((await placeLeg(restingSell(994))).status).toBe('placed');
  });

  it('kill switch from the CLI: through the engine when it runs, into the trade log when it does not', async () => {
    await start();
    const url = async () => (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    const opts = { url: await url(), db, print: () => undefined };
    expect(await runKillSwitch('trip', { ...opts, reason: 'from the cli' })).toEqual({ tripped: true, via: 'engine' });
    expect(await placeLeg(restingSell(995))).toMatchObject({ status: 'failed', error: { errorType: 'KillSwitch' } });
    expect(await runKillSwitch('rearm', opts)).toEqual({ tripped: false, via: 'engine' });
    expect((await placeLeg(restingSell(994))).status).toBe('placed');

    await t.close();
    expect(await runKillSwitch('trip', { ...opts, reason: 'engine down, stop it before it starts' })).toEqual({ tripped: true, via: 'file' });
    await start();
    expect(await placeLeg(restingSell(993))).toMatchObject({ status: 'failed', error: { errorType: 'KillSwitch' } });
    expect(await runKillSwitch('status', { ...opts, url: await url() })).toEqual({ tripped: true, via: 'engine' });
  });

  it('a strategy over its open-quantity limit trips the switch, naming the strategy and the limit', async () => {
    await start({ STRATEGIES: 'two-leg', TWO_LEG_MAX_OPEN_QUANTITY: '5' });
    await place(kiteFor(sim), sbinBuy({ order_type: 'MARKET', price: 0, quantity: 10, product: 'MIS', tag: 'twoleg', market_protection: -1 }));
    const state = await eventually(async () => {
      await t.settle();
      const s = await t.app.get(KillSwitchService).status();
      return s.tripped && s;
    }, 'the kill switch tripped by the limit');
    expect(state).toMatchObject({
      changedBy: 'limit:two-leg',
      reason: expect.stringMatching(/two-leg has 10 open quantity, over its limit of 5 \(TWO_LEG_MAX_OPEN_QUANTITY\)/),
    });
  });
});
