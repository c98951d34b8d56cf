import samplePositions from '../../test/fixtures/kite-positions.json';
import type { TradeRow } from './kite-rows';
import { computePositions } from './positions';

let tradeSeq = 0;
const trade = (tradingsymbol: string, product: string, side: 'BUY' | 'SELL', quantity: number, price: number): TradeRow => ({
  trade_id: String(++tradeSeq),
  order_id: `order${tradeSeq}`,
  exchange: 'NSE',
  tradingsymbol,
  instrument_token: 779521,
  product,
  average_price: price,
  quantity,
  exchange_order_id: null,
  transaction_type: side,
  fill_timestamp: '2026-03-02 09:30:00',
  order_timestamp: '09:30:00',
  exchange_timestamp: '2026-03-02 09:30:00',
});

describe('positions from fills', () => {
  it('reproduces positions.json’s closed SBIN row field for field', () => {
    const sample = samplePositions.data.net.find((row) => row.tradingsymbol === 'SBIN')!;
    const { net, day } = computePositions([trade('SBIN', 'CO', 'BUY', 1, 311), trade('SBIN', 'CO', 'SELL', 1, 309)], () => 308.4);
    expect(net).toEqual([sample]);
    expect(day).toEqual(net);
    expect(Object.keys(net[0])).toEqual(Object.keys(sample));
  });

  it('reproduces the arithmetic of positions.json’s short day row (GOLDGUINEA: 1 bought, 4 sold)', () => {
    const sample = samplePositions.data.day.find((row) => row.tradingsymbol === 'GOLDGUINEA17DECFUT')!;
    const [row] = computePositions(
      [trade('GOLDGUINEA17DECFUT', 'NRML', 'BUY', 1, 23388), trade('GOLDGUINEA17DECFUT', 'NRML', 'SELL', 4, 23340)],
      () => 23355,
    ).day;
    // The simulator has no previous close; everything else follows from the fills and the last price.
    expect({ ...row, exchange: sample.exchange, instrument_token: sample.instrument_token, close_price: sample.close_price }).toEqual(sample);
  });

  it('keeps one row per instrument and product, long positions at their buy price, with live P&L', () => {
    const trades = [
      trade('INFY', 'CNC', 'BUY', 10, 1500),
      trade('INFY', 'CNC', 'BUY', 10, 1501),
      trade('INFY', 'MIS', 'SELL', 5, 1502.5),
      trade('INFY', 'CNC', 'SELL', 5, 1510.05),
    ];
    const { net } = computePositions(trades, () => 1505.35);
    expect(net.map(({ product, quantity, average_price }) => ({ product, quantity, average_price }))).toEqual([
      { product: 'CNC', quantity: 15, average_price: 1500.5 },
      { product: 'MIS', quantity: -5, average_price: 1502.5 },
    ]);
    expect(net[0]).toMatchObject({ buy_value: 30010, sell_value: 7550.25, value: -22459.75, pnl: 120.5, m2m: 120.5, last_price: 1505.35 });
    expect(net[1]).toMatchObject({ value: 7512.5, pnl: -14.25 });
    expect(computePositions([], () => 1)).toEqual({ net: [], day: [] });
  });
});
