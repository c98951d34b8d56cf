import { join } from 'node:path';
import request from 'supertest';
import { Leg } from '../../src/broker/entities/leg.entity';
import { LegOrder, OrderGateway } from '../../src/broker/order-gateway.service';
import { runKillSwitch } from '../../src/cli/killswitch.cli';
import { KillSwitchService } from '../../src/rails/kill-switch.service';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, legPlacements, omsOrdersTagged, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

const limit = (price: number, quantity = 1): LegOrder => ({
  exchange: 'NSE', tradingsymbol: 'SBIN', transaction_type: 'SELL', quantity, product: 'MIS', order_type: 'LIMIT', price,
});

describe('safety rails in the order gateway, against the simulator', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;
  const db = join(tmp.dir, 'rails.sqlite');
  const start = async (extra: Record<string, string> = {}) =>
    (t = await startEngine(sim, engineEnv(sim, tmp.dir, { DATABASE_PATH: db, ...extra })));

  beforeAll(async () => {
    sim = await startSimulator({ orderRateLimitPerSecond: 10 }); // Kite's own 429 above 10/s
    await start();
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    tmp.cleanup();
  });
  let parent = 700000;
  const placeLeg = (order: LegOrder, legName = 'leg') => t.app.get(OrderGateway).placeLeg({ strategy: 'rails-test', parentOrderId: String(parent++), legName, order });

  it('30 legs submitted at once leave at most 10 in any second, in order, none lost', async () => {
    sim.clearRequests();
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => placeLeg(limit(900 + i))));
    expect(outcomes.map((o) => o.status)).toEqual(Array(30).fill('placed'));
    // Each leg is in Kite's book exactly once (a 429 from the simulator, if any, is retried only after a tag lookup).
    const accepted = legPlacements(sim).filter((r) => outcomes.some((o) => o.tag === r.body.tag));
    const firstArrivals = outcomes.map((o) => accepted.find((r) => r.body.tag === o.tag)!.receivedHr);
    // The simulator's receive times: pacing is one order per 105 ms, so no second holds 11 placements. The simulator
    // shares this process's event loop, which can bunch arrivals a little: allow 10% for that.
    for (let i = 0; i + 10 < firstArrivals.length; i++) expect(firstArrivals[i + 10] - firstArrivals[i]).toBeGreaterThanOrEqual(900);
    // FIFO: they left in the order they were submitted.
    expect(firstArrivals).toEqual([...firstArrivals].sort((a, b) => a - b));
    for (const o of outcomes) expect(omsOrdersTagged(sim, o.tag)).toHaveLength(1);
  }, 20_000);

  it('refuses a MARKET order with no market protection before it leaves, with a clear message', async () => {
    sim.clearRequests();
    const outcome = await placeLeg({ ...limit(0), order_type: 'MARKET', price: undefined });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ errorType: 'MarketProtectionRequired', message: expect.stringMatching(/MARKET orders need a non-zero market_protection/) });
    expect(legPlacements(sim)).toHaveLength(0);
    const leg = await t.dataSource.getRepository(Leg).findOneByOrFail({ id: outcome.legId });
    expect([leg.status, leg.errorType]).toEqual(['failed', 'MarketProtectionRequired']);
  });

  it('kill switch: stops placement at once, cancels open legwork orders, survives a restart, and re-arms', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // the user's own placement below counts against the simulator's 10/s too
    sim.clearRequests();
    const resting = await placeLeg(limit(999)); // a SELL far above the market: stays OPEN
    expect(resting.status).toBe('placed');
    const someoneElses = (await place(kiteFor(sim), sbinBuy({ price: 300 }))).order_id; // not legwork's: left alone

    const tripped = await request(t.app.getHttpServer()).post('/rails/kill-switch').send({ reason: 'test: market went crazy', cancelOpen: true });
    expect(tripped.status).toBe(200);
    expect(tripped.body).toMatchObject({ tripped: true, reason: 'test: market went crazy', changedBy: 'http', cancelFailures: [] });
    // Every open order legwork placed (this one and the 30 resting from the pacing test), and only those.
    const legOrders = (await t.dataSource.getRepository(Leg).findBy({ status: 'placed' })).map((l) => l.orderId!);
    expect(tripped.body.cancelled).toContain(resting.orderId);
    expect([...tripped.body.cancelled].sort()).toEqual(legOrders.filter((id) => sim.getOrder(id)!.status === 'CANCELLED').sort());
    expect(legOrders.every((id) => sim.getOrder(id)!.status !== 'OPEN')).toBe(true);
    expect(sim.getOrder(resting.orderId!)!.status).toBe('CANCELLED');
    expect(sim.getOrder(someoneElses)!.status).toBe('OPEN');

    const refused = await placeLeg(limit(998));
    expect(refused).toMatchObject({ status: 'failed', error: { errorType: 'KillSwitch' } });
    expect(legPlacements(sim, refused.tag)).toHaveLength(0);

    // Restart: still stopped, and readiness says so.
    await t.close();
    await start();
    expect((await t.app.get(KillSwitchService).status()).tripped).toBe(true);
    const ready = await request(t.app.getHttpServer()).get('/health/ready');
    expect(ready.body.details.killSwitch).toMatchObject({ status: 'up', tripped: true, reason: 'test: market went crazy' });
    expect(await placeLeg(limit(997))).toMatchObject({ status: 'failed', error: { errorType: 'KillSwitch' } });

    expect((await request(t.app.getHttpServer()).delete('/rails/kill-switch')).body).toMatchObject({ tripped: false });
    expect((await placeLeg(limit(996))).status).toBe('placed');
  });

  it('kill switch from the CLI: through the engine when it runs, into the trade log when it does not', async () => {
    const url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    const lines: string[] = [];
    const opts = { url, db, print: (l: string) => lines.push(l) };
    expect(await runKillSwitch('trip', { ...opts, reason: 'from the cli' })).toEqual({ tripped: true, via: 'engine' });
    expect(await placeLeg(limit(995))).toMatchObject({ status: 'failed', error: { errorType: 'KillSwitch' } });
    expect(await runKillSwitch('rearm', opts)).toEqual({ tripped: false, via: 'engine' });

    await t.close();
    expect(await runKillSwitch('trip', { ...opts, reason: 'engine down, stop it before it starts' })).toEqual({ tripped: true, via: 'file' });
    await start();
    expect(await placeLeg(limit(994))).toMatchObject({ status: 'failed', error: { errorType: 'KillSwitch' } });
    expect(await runKillSwitch('status', { ...opts, url: (await t.app.getUrl()).replace('[::1]', '127.0.0.1') })).toEqual({ tripped: true, via: 'engine' });
    await t.app.get(KillSwitchService).rearm('test');
  });

  it("a strategy over its open-quantity limit trips the switch, naming the strategy and the limit", async () => {
    await t.close();
    await start({ STRATEGIES: 'two-leg', TWO_LEG_MAX_OPEN_QUANTITY: '5' });
    await place(kiteFor(sim), sbinBuy({ order_type: 'MARKET', price: 0, quantity: 10, product: 'MIS', tag: 'twoleg', market_protection: -1 }));
    const state = await eventually(async () => {
      await t.settle();
      const s = await t.app.get(KillSwitchService).status();
      return s.tripped && s;
    }, 'the kill switch tripped by the limit');
    expect(state).toMatchObject({ changedBy: 'limit:two-leg', reason: expect.stringMatching(/two-leg has 10 open quantity, over its limit of 5 \(TWO_LEG_MAX_OPEN_QUANTITY\)/) });
    await t.app.get(KillSwitchService).rearm('test');
  });
});
