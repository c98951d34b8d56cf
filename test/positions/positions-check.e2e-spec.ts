import request from 'supertest';
import { main } from '../../src/cli/trades.cli';
import { OrderGateway } from '../../src/broker/order-gateway.service';
import type { Alert } from '../../src/notifier/alert';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/engine-process';
import { recordAlerts } from '../helpers/legs';
import { ist, withClock } from '../helpers/market-clock';
import { PositionsCheckRecord } from '../../src/positions/entities/positions-check.entity';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

/** legwork's net quantity per instrument today against Kite's positions (the simulator's, from its fills). */
describe('positions check', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;
  let alerts: Alert[];
  let url: string;

  const clock = { at: ist('2026-11-25 11:00') };
  beforeEach(async () => {
    sim = await startSimulator({ startPrices: { SBIN: 470, INFY: 1550 } });
    // The timer's test holds the engine's market clock in market hours; the others run on real time.
    const timer = expect.getState().currentTestName?.includes('timer') ?? false;
    t = await startEngine(
      sim,
      engineEnv(sim, `${tmp.dir}/${Date.now()}`, { POSITIONS_CHECK_INTERVAL_SECONDS: timer ? '1' : '0' }),
      [],
      timer ? withClock(clock) : undefined,
    );
    alerts = recordAlerts(t.app);
    url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterEach(async () => {
    await t.close();
    await sim.stop();
  });
  afterAll(() => tmp.cleanup());

  const checkNow = async () => (await request(t.app.getHttpServer()).post('/api/trade-log/positions-check').expect(200)).body.check;
  const mismatchGauge = async () => {
    const text = (await request(t.app.getHttpServer()).get('/metrics').expect(200)).text;
    return Number(
      text
        .split('\n')
        .find((l) => l.startsWith('legwork_positions_mismatch '))
        ?.split(' ')[1],
    );
  };
  /** Everything Kite has sent so far is in the trade log. */
  const settled = async () => {
    await sim.flushPostbacks();
    await t.settle();
  };

  it('matches when legwork saw every fill: a leg, and an order placed by hand (external)', async () => {
    await t.app.get(OrderGateway).placeLeg({
      strategy: 'p-test',
      parentOrderId: '970001',
      legName: 'buy',
      order: {
        ...sbinBuy(),
        order_type: 'MARKET',
        price: undefined,
        market_protection: -1,
        quantity: 10,
        transaction_type: 'BUY',
        product: 'MIS',
        exchange: 'NSE',
        tradingsymbol: 'SBIN',
      },
    });
    await place(kiteFor(sim), { ...sbinBuy(), tradingsymbol: 'INFY', transaction_type: 'SELL', order_type: 'MARKET', price: 0, quantity: 3, product: 'MIS' });
    await eventually(async () => {
      await settled();
      const check = await checkNow();
      return check.mismatches === 0 && check.lines.length === 2 && check;
    }, 'a check with both instruments matching');
    const { body } = await request(t.app.getHttpServer()).get('/api/trade-log/positions-check').expect(200);
    expect(body.check.lines).toEqual([
      { exchange: 'NSE', tradingsymbol: 'INFY', legwork: -3, kite: -3, kiteNet: -3, products: ['MIS'], match: true },
      { exchange: 'NSE', tradingsymbol: 'SBIN', legwork: 10, kite: 10, kiteNet: 10, products: ['MIS'], match: true },
    ]);
    expect(await mismatchGauge()).toBe(0);
    // The trade log's positions (the /trades page) show Kite's figure of that check beside legwork's own.
    const positions = (await request(t.app.getHttpServer()).get(`/api/trade-log/positions?date=${body.check.tradingDay}`).expect(200)).body;
    expect(positions.kiteCheckedAt).toBe(body.check.checkedAt);
    expect(positions.instruments.map((i: Record<string, unknown>) => [i.tradingsymbol, i.netQuantity, i.kiteNetQuantity])).toEqual([
      ['INFY', -3, -3],
      ['SBIN', 10, 10],
    ]);
  });

  it('a fill legwork never saw is a mismatch: the metric at once, an alert when the next check confirms it, and the CLI shows it', async () => {
    await place(kiteFor(sim), { ...sbinBuy(), order_type: 'MARKET', price: 0, quantity: 10, product: 'MIS' });
    await eventually(async () => {
      await settled();
      return (await checkNow()).mismatches === 0;
    }, 'legwork level with Kite');
    sim.setPostbackFaults({ dropAll: true }); // the next order's updates never reach legwork (no stream either)
    await place(kiteFor(sim), { ...sbinBuy(), order_type: 'MARKET', price: 0, quantity: 5, product: 'MIS' });
    await settled();

    const first = await checkNow();
    expect(first.lines).toEqual([{ exchange: 'NSE', tradingsymbol: 'SBIN', legwork: 10, kite: 15, kiteNet: 15, products: ['MIS'], match: false }]);
    expect(await mismatchGauge()).toBe(1);
    expect(alerts.filter((a) => a.title.startsWith('Positions differ'))).toEqual([]); // one check may race an update in flight
    await checkNow();
    expect(alerts.filter((a) => a.title.startsWith('Positions differ'))).toEqual([
      expect.objectContaining({
        title: 'Positions differ from Kite: SBIN',
        severity: 'critical',
        text: expect.stringContaining('NSE:SBIN legwork 10, Kite 15 today'),
      }),
    ]);

    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: () => undefined, env: {} };
    /** The CLI's table without its box-drawing characters. */
    const printed = () => out.join('').replace(/[│┌┐└┘├┤┬┴┼─]/g, ' ');
    expect(await main(['positions', '--url', url], io)).toBe(0);
    expect(printed()).toMatch(/NSE:SBIN\s+10\s+15\s+15\s+MIS\s+MISMATCH/);
    expect(printed()).toMatch(/1 instrument\(s\) differ/);

    // No engine answering: the last stored check, and legwork's own figures now.
    out.length = 0;
    const db = t.dataSource.options.database as string;
    expect(await main(['positions', '--url', `http://127.0.0.1:${await freePort()}`, '--db', db], io)).toBe(0);
    expect(printed()).toMatch(/last check: .* IST \(demand\)[\s\S]*NSE:SBIN\s+10\s+15\s+15\s+MIS\s+MISMATCH[\s\S]*legwork now[\s\S]*NSE:SBIN\s+10/);
  });

  it('checks on its timer during market hours on a trading day (held at Wednesday 11:00 IST)', async () => {
    const row = await eventually(() => t.dataSource.getRepository(PositionsCheckRecord).findOneBy({ trigger: 'timer' }), 'a check by the timer');
    expect(row).toMatchObject({ tradingDay: '2026-11-25', mismatches: 0 });
  });
});
