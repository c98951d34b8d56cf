import { join } from 'node:path';
import { Leg } from '../../src/broker/entities/leg.entity';
import { OrderGateway } from '../../src/broker/order-gateway.service';
import { Gtt } from '../../src/gtt/entities/gtt.entity';
import { GttService } from '../../src/gtt/gtt.service';
import { KillSwitchService } from '../../src/rails/kill-switch.service';
import type { KiteSimulator } from '../../src/simulator';
import { SquareOff } from '../../src/square-off/entities/square-off.entity';
import { SquareOffService } from '../../src/square-off/square-off.service';
import { engineEnv, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { recordAlerts, restingSell } from '../helpers/legs';
import { ist, withClock } from '../helpers/market-clock';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

const SHORT = 'NIFTY24DEC24000CE';
const NEAR = 'NIFTY24DEC24200CE';
const FAR = 'NIFTY24DEC24400CE';
const STRATEGIES_DIR = join(__dirname, '..', 'fixtures', 'strategies-rails');

/**
 * The timed square-off against the simulator: a hedged short (the `hedged-short` fixture: two bought calls, one sold
 * call) plus the entry's own SBIN position, a resting order and a GTT. The engine's market clock is held at chosen
 * IST times (2026-11-25 is a Wednesday); everything else runs for real.
 */
describe('timed square-off (SQUARE_OFF_AT)', () => {
  const clock = { at: ist('2026-11-25 14:00') };
  let sim: KiteSimulator;
  let t: TestApp | undefined;
  const tmps: Array<ReturnType<typeof tempDir>> = [];
  beforeEach(async () => {
    sim = await startSimulator({ startPrices: { SBIN: 470, INFY: 1550, [SHORT]: 100, [NEAR]: 40, [FAR]: 15 } });
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await sim.stop();
    for (const tmp of tmps.splice(0)) tmp.cleanup();
  });

  const envFor = (dir: string, extra: Record<string, string> = {}) =>
    engineEnv(sim, dir, { STRATEGIES_DIR, STRATEGIES: 'hedged-short', SQUARE_OFF_AT: '15:15', ...extra });
  const start = (env: Record<string, string>) => startEngine(sim, env, [], withClock(clock));
  const orderPosts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/orders/'));
  const netOf = (symbol: string) =>
    sim
      .getPositions()
      .net.filter((p) => p.tradingsymbol === symbol)
      .reduce((sum, p) => sum + p.quantity, 0);

  /** The hedged short, an open resting order and a GTT, all of strategy hedged-short on one chain (the SBIN entry). */
  async function openPositions(app: TestApp): Promise<{ entry: string; resting: string; gtt: Gtt }> {
    const { order_id: entry } = await place(kiteFor(sim), sbinBuy({ order_type: 'MARKET', price: 0, quantity: 10, product: 'MIS', tag: 'hshort' }));
    await eventually(
      async () => {
        await sim.flushPostbacks();
        await app.settle();
        return netOf(SHORT) === -50 && netOf(NEAR) === 50 && netOf(FAR) === 50;
      },
      'the hedged short open',
      15_000,
    );
    const resting = await app.app.get(OrderGateway).placeLeg({ strategy: 'hedged-short', parentOrderId: entry, legName: 'resting', order: restingSell(990) });
    await app.app.get(GttService).place({
      strategy: 'hedged-short',
      parentOrderId: entry,
      name: 'stop',
      spec: {
        exchange: 'NSE',
        tradingsymbol: 'INFY',
        lastPrice: 1550,
        trigger: 1400,
        order: { transaction_type: 'SELL', quantity: 1, product: 'CNC', price: 1395 },
      },
    });
    const gtt = await app.dataSource.getRepository(Gtt).findOneByOrFail({ parentOrderId: entry, name: 'stop' });
    expect(gtt.status).toBe('active');
    return { entry, resting: resting.orderId!, gtt };
  }

  it('at the time: cancels, deletes GTTs, covers the short first and closes the longs after, once a day, with the kill switch tripped; an engine started after the time does it at start', async () => {
    const tmp = tempDir();
    tmps.push(tmp);
    t = await start(envFor(tmp.dir));
    const { entry, resting, gtt } = await openPositions(t);
    await t.app.get(SquareOffService).tick(); // 14:00: not due
    expect(await t.dataSource.getRepository(SquareOff).count()).toBe(0);
    await t.app.get(KillSwitchService).trip('test: loss limit', 'test'); // square-off takes risk off: allowed
    await t.close();

    // The engine comes back at 15:20, after the square-off time and before the close: it squares off at start.
    clock.at = ist('2026-11-25 15:20');
    sim.clearRequests();
    t = await start(envFor(tmp.dir));
    const alerts = recordAlerts(t.app);
    // Started at start, nobody asking:
    await eventually(
      () => t!.dataSource.getRepository(SquareOff).findOneBy({ strategy: 'hedged-short', tradingDay: '2026-11-25' }),
      'the square-off begun at start',
    );
    const done = await eventually(
      async () => {
        await sim.flushPostbacks();
        await t!.settle();
        await t!.app.get(SquareOffService).tick();
        const row = await t!.dataSource.getRepository(SquareOff).findOneBy({ strategy: 'hedged-short', tradingDay: '2026-11-25' });
        return row?.status === 'done' && row;
      },
      'the square-off done',
      20_000,
    );
    expect(done.dueAt).toBe('15:15');

    expect(sim.getOrder(resting)!.status).toBe('CANCELLED');
    expect(sim.getGtt(gtt.triggerId!).status).toBe('deleted');
    for (const symbol of [SHORT, NEAR, FAR, 'SBIN']) expect(netOf(symbol)).toBe(0);
    // Protective legs last: the short was covered before either hedge (or the SBIN long) was sold.
    const closing = orderPosts().map((r) => `${r.body.transaction_type} ${r.body.tradingsymbol} ${r.body.quantity} ${r.body.product}`);
    expect(closing).toEqual([`BUY ${SHORT} 50 NRML`, expect.stringMatching(/^SELL /), expect.stringMatching(/^SELL /), expect.stringMatching(/^SELL /)]);
    expect(closing.slice(1).sort()).toEqual([`SELL ${FAR} 50 NRML`, `SELL ${NEAR} 50 NRML`, 'SELL SBIN 10 MIS'].sort());
    const legs = await t.dataSource.getRepository(Leg).findBy({ strategy: 'hedged-short', chainId: entry, reducesRisk: true });
    expect(legs.map((l) => l.legName).sort()).toEqual(
      ['NSE:SBIN', `NFO:${FAR}`, `NFO:${NEAR}`, `NFO:${SHORT}`].map((i) => `square-off:2026-11-25:${i}`).sort(),
    );
    expect(alerts).toContainEqual(expect.objectContaining({ title: 'Squared off: hedged-short', severity: 'info' }));
    expect((await t.app.get(KillSwitchService).status()).tripped).toBe(true);

    // Done once: later looks, and another restart the same day, send nothing.
    const sent = orderPosts().length;
    clock.at = ist('2026-11-25 15:24');
    await t.app.get(SquareOffService).tick();
    await t.close();
    t = await start(envFor(tmp.dir));
    await t.app.get(SquareOffService).tick();
    expect(orderPosts()).toHaveLength(sent);
    expect(await t.dataSource.getRepository(SquareOff).count()).toBe(1);
  }, 60_000);

  it('not on a market holiday nor a weekend, and at the next trading day’s time', async () => {
    const tmp = tempDir();
    tmps.push(tmp);
    clock.at = ist('2026-11-25 14:00');
    t = await start(envFor(tmp.dir, { MARKET_HOLIDAYS: '2026-11-25,2026-12-25' }));
    await openPositions(t);
    const service = t.app.get(SquareOffService);
    sim.clearRequests();
    for (const at of ['2026-11-25 15:16', '2026-11-28 15:16', '2026-11-29 15:16']) {
      clock.at = ist(at); // the holiday, then a Saturday and a Sunday
      await service.tick();
    }
    expect(orderPosts()).toHaveLength(0);
    expect(await t.dataSource.getRepository(SquareOff).count()).toBe(0);

    clock.at = ist('2026-11-26 15:31'); // Thursday, after the close: too late
    await service.tick();
    expect(await t.dataSource.getRepository(SquareOff).count()).toBe(0);
    clock.at = ist('2026-11-27 15:15'); // Friday, on time
    sim.rejectNextPlacements(1, 'RMS: blocked for the test'); // the first closing order is rejected: another follows
    await eventually(
      async () => {
        await sim.flushPostbacks();
        await t!.settle();
        await service.tick();
        return (await t!.dataSource.getRepository(SquareOff).findOneBy({ tradingDay: '2026-11-27' }))?.status === 'done';
      },
      'the square-off on the next trading day',
      20_000,
    );
    expect(netOf(SHORT)).toBe(0);
    const covering = await t.dataSource.getRepository(Leg).findBy({ strategy: 'hedged-short', legName: `square-off:2026-11-27:NFO:${SHORT}` });
    expect(covering).toHaveLength(1);
    expect(sim.getOrder(covering[0].orderId!)!.status).toBe('REJECTED');
    const second = await t.dataSource.getRepository(Leg).findOneByOrFail({ legName: `square-off:2026-11-27:NFO:${SHORT}:2` });
    expect(sim.getOrder(second.orderId!)).toMatchObject({ status: 'COMPLETE', transaction_type: 'BUY', quantity: 50 });
  }, 60_000);

  it('refuses to start with a time outside the session, and lets a strategy opt out', async () => {
    const tmp = tempDir();
    tmps.push(tmp);
    await expect(start(envFor(tmp.dir, { SQUARE_OFF_AT: '15:45' }))).rejects.toThrow(/SQUARE_OFF_AT=15:45 is outside the market's session/);
    await expect(start(envFor(tmp.dir, { HEDGED_SHORT_SQUARE_OFF_AT: '3pm' }))).rejects.toThrow(/HEDGED_SHORT_SQUARE_OFF_AT must be an IST time/);
    t = await start(envFor(tmp.dir, { HEDGED_SHORT_SQUARE_OFF_AT: 'off' }));
    expect(t.app.get(SquareOffService).schedule().size).toBe(0);
  });
});
