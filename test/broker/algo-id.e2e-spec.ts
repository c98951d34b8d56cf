import { OrderGateway } from '../../src/broker/order-gateway.service';
import { GttService } from '../../src/gtt/gtt.service';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { restingSell } from '../helpers/legs';
import { tempDir, TestApp } from '../helpers/test-app';

/** SEBI's retail-algo framework: every order legwork places carries the exchange-issued algo id (ALGO_ID). */
describe('exchange algo id (ALGO_ID)', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp | undefined;
  beforeEach(async () => {
    sim = await startSimulator({ startPrices: { SBIN: 470, INFY: 1550 } });
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await sim.stop();
  });
  afterAll(() => tmp.cleanup());

  const placements = () => sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/orders/'));

  it('is sent as algo_id with every placement — a strategy’s leg and legwork’s own risk-reducing legs (unwinds, square-off) alike', async () => {
    t = await startEngine(sim, engineEnv(sim, `${tmp.dir}/with`, { ALGO_ID: 'ALGO-42' }));
    const gateway = t.app.get(OrderGateway);
    const leg = await gateway.placeLeg({ strategy: 'algo-test', parentOrderId: '980001', legName: 'exit', order: restingSell(990) });
    const reversal = await gateway.placeRiskReducingLeg({
      strategy: 'algo-test',
      parentOrderId: '980001',
      legName: 'exit:unwind',
      order: { exchange: 'NSE', tradingsymbol: 'SBIN', transaction_type: 'BUY', quantity: 1, product: 'MIS', order_type: 'MARKET', market_protection: -1 },
    });
    expect(sim.getOrderAlgoId(leg.orderId!)).toBe('ALGO-42');
    expect(sim.getOrderAlgoId(reversal.orderId!)).toBe('ALGO-42');
    expect(placements().map((r) => r.body.algo_id)).toEqual(['ALGO-42', 'ALGO-42']);

    // A GTT: kiteconnect 5.3.0 rebuilds the body from fixed keys (condition, orders, type), so no algo_id can go with it.
    await t.app.get(GttService).place({
      strategy: 'algo-test',
      parentOrderId: '980001',
      name: 'stop',
      spec: {
        exchange: 'NSE',
        tradingsymbol: 'INFY',
        lastPrice: 1550,
        trigger: 1400,
        order: { transaction_type: 'SELL', quantity: 1, product: 'CNC', price: 1395 },
      },
    });
    const gtt = sim.requests.find((r) => r.method === 'POST' && r.path === '/gtt/triggers')!;
    expect(Object.keys(gtt.body).sort()).toEqual(['condition', 'orders', 'type']);
  });

  it('is left out when ALGO_ID is not set', async () => {
    t = await startEngine(sim, engineEnv(sim, `${tmp.dir}/without`));
    const leg = await t.app.get(OrderGateway).placeLeg({ strategy: 'algo-test', parentOrderId: '980002', legName: 'exit', order: restingSell(990) });
    expect(sim.getOrderAlgoId(leg.orderId!)).toBeUndefined();
    expect(placements()[0].body).not.toHaveProperty('algo_id');
  });
});
