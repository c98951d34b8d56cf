import { priceFillsFromTrades, UnpricedFill } from './fill-pricing';

const trade = (tradeId: string, orderId: string, quantity: number, price: number, at: string) => ({
  trade_id: tradeId,
  order_id: orderId,
  quantity,
  average_price: price,
  fill_timestamp: `2026-11-25 ${at}`,
});
const fill = (id: number, orderId: string, quantity: number, cumulativeQuantity: number): UnpricedFill => ({ id, orderId, quantity, cumulativeQuantity });

describe('priceFillsFromTrades', () => {
  it('prices each fill from the trades that make up its stretch of the filled quantity, in the order they happened', () => {
    const trades = [
      trade('10000002', 'A', 6, 401, '09:15:02'), // given out of order: sorted by time
      trade('10000001', 'A', 4, 400.5, '09:15:01'),
      trade('10000003', 'B', 5, 99, '09:15:01'), // another order's trade never prices A
    ];
    expect(priceFillsFromTrades([fill(1, 'A', 4, 4), fill(2, 'A', 6, 10)], trades)).toEqual(
      new Map([
        [1, 400.5],
        [2, 401],
      ]),
    );
    // One fill over both trades: their value over the quantity.
    expect(priceFillsFromTrades([fill(3, 'A', 10, 10)], trades)).toEqual(new Map([[3, 400.8]]));
  });

  it('lends a trade that straddles two fills to each, at its price', () => {
    const trades = [trade('1', 'A', 3, 100, '09:15:01'), trade('2', 'A', 4, 110, '09:15:02')];
    // 0..5: 3 @ 100 + 2 @ 110 = 520 → 104; 5..7: 2 @ 110.
    expect(priceFillsFromTrades([fill(1, 'A', 5, 5), fill(2, 'A', 2, 7)], trades)).toEqual(
      new Map([
        [1, 104],
        [2, 110],
      ]),
    );
  });

  it('orders trades of the same second by trade id, numerically', () => {
    const trades = [trade('10', 'A', 1, 200, '09:15:01'), trade('9', 'A', 1, 100, '09:15:01')];
    expect(priceFillsFromTrades([fill(1, 'A', 1, 1)], trades).get(1)).toBe(100);
  });

  it('leaves a fill out while the trades do not cover it yet (the trade book lags)', () => {
    const trades = [trade('1', 'A', 4, 400.5, '09:15:01')];
    expect(priceFillsFromTrades([fill(1, 'A', 4, 4), fill(2, 'A', 6, 10)], trades)).toEqual(new Map([[1, 400.5]]));
    expect(priceFillsFromTrades([fill(3, 'C', 1, 1)], trades).size).toBe(0);
  });

  it('never prices from a trade without a usable price', () => {
    const trades = [trade('1', 'A', 4, 0, '09:15:01')];
    expect(priceFillsFromTrades([fill(1, 'A', 4, 4)], trades).size).toBe(0);
  });
});
