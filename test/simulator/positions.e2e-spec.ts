import samplePositions from '../fixtures/kite-positions.json';
import { KiteSimulator } from '../../src/simulator';
import { kiteFor, Kite, place, rawApi, rejectionOf, sbinBuy } from './kite-client';
import { shapeDifferences } from './shape';

describe('positions in the simulator, through the official kiteconnect client', () => {
  let sim: KiteSimulator;
  let kite: Kite;

  beforeEach(async () => {
    sim = await new KiteSimulator({ seed: 3, startPrices: { SBIN: 470, INFY: 1550 } }).start();
    kite = kiteFor(sim);
  });
  afterEach(() => sim.stop());

  it('computes net and day positions from the fills, in positions.json’s shape, with P&L at the last price', async () => {
    await place(kite, sbinBuy({ order_type: 'MARKET', price: undefined, quantity: 10 })); // fills at 470
    await place(kite, sbinBuy({ transaction_type: 'SELL', price: 475, quantity: 4 })); // rests
    sim.setPrice('SBIN', 475.5); // the SELL fills at its limit
    await place(kite, { ...sbinBuy(), tradingsymbol: 'INFY', transaction_type: 'SELL', product: 'MIS', order_type: 'MARKET', price: undefined, quantity: 3 });
    await place(kite, sbinBuy({ price: 460 })); // open, unfilled: not a position
    sim.setPrice('INFY', 1540);

    const raw = await rawApi(sim, 'GET', '/portfolio/positions');
    expect(shapeDifferences(raw.body, samplePositions)).toEqual([]);

    const { net, day } = await kite.getPositions();
    expect(day).toEqual(net);
    expect(net).toHaveLength(2);
    const [sbin, infy] = net;
    expect(sbin).toMatchObject({
      tradingsymbol: 'SBIN',
      exchange: 'NSE',
      instrument_token: 779521,
      product: 'CNC',
      quantity: 6,
      average_price: 470,
      last_price: 475.5,
      buy_quantity: 10,
      buy_value: 4700,
      sell_quantity: 4,
      sell_price: 475,
      sell_value: 1900,
      value: -2800,
      pnl: 53, // -2800 + 6 × 475.5
    });
    expect(infy).toMatchObject({ tradingsymbol: 'INFY', product: 'MIS', quantity: -3, average_price: 1550, last_price: 1540, pnl: 30 });
    expect(net.reduce((sum, row) => sum + row.pnl, 0)).toBe(83);
  });

  it('counts fills of GTT-fired orders like any other', async () => {
    await kite.placeGTT({
      trigger_type: 'single',
      exchange: 'NSE',
      tradingsymbol: 'INFY',
      trigger_values: [1600],
      last_price: 1550,
      orders: [{ transaction_type: 'BUY', quantity: 2, product: 'CNC', order_type: 'LIMIT', price: 1610 }],
    });
    expect((await kite.getPositions()).net).toEqual([]);
    sim.setPrice('INFY', 1601);
    expect((await kite.getPositions()).net).toEqual([expect.objectContaining({ tradingsymbol: 'INFY', quantity: 2, average_price: 1601 })]);
  });

  it('refuses position conversion clearly rather than pretending', async () => {
    const error = await rejectionOf(
      kite.convertPosition({
        exchange: 'NSE',
        tradingsymbol: 'SBIN',
        transaction_type: 'BUY',
        position_type: 'day',
        quantity: 1,
        old_product: 'MIS',
        new_product: 'CNC',
      }),
    );
    expect(error).toEqual({
      status: 'error',
      error_type: 'InputException',
      message: 'Position conversion (PUT /portfolio/positions) is not supported by the simulator.',
      data: null,
    });
  });
});
