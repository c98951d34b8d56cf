import { chainPnl, PnlFill } from './pnl';

/**
 * A fill recorded after others but executed before them: reconcile found it after the gap, or its postback came late.
 * FIFO goes by when fills happened at the exchange, not by when legwork wrote them down (the row id).
 */
describe('P&L: a fill recorded late is matched by the time it happened', () => {
  const at = (time: string, seq: number, side: 'BUY' | 'SELL', quantity: number, price: number): PnlFill => ({
    seq,
    time: `2026-11-25 ${time}`,
    exchange: 'NSE',
    tradingsymbol: 'SBIN',
    side,
    quantity,
    price,
  });
  // Row 1: bought 5 @ 472 at 09:20. Row 2, written later by reconcile: bought 5 @ 470 at 09:15. Row 3: sold 5 @ 475 at 09:30.
  const recorded = at('09:20:00', 1, 'BUY', 5, 472);
  const foundLater = at('09:15:00', 2, 'BUY', 5, 470);
  const exit = at('09:30:00', 3, 'SELL', 5, 475);

  it('the earlier-executed lot is the one the sale closes (first in, first out), whatever the row order', () => {
    for (const fills of [
      [recorded, foundLater, exit],
      [exit, foundLater, recorded],
      [foundLater, exit, recorded],
    ]) {
      const pnl = chainPnl(fills);
      expect(pnl.matches).toEqual([{ exchange: 'NSE', tradingsymbol: 'SBIN', quantity: 5, buyPrice: 470, sellPrice: 475, pnl: 25, openedBy: 2, closedBy: 3 }]);
      expect(pnl.realised).toBe(25); // by row order it would be (475 − 472) × 5 = 15
      expect(pnl.instruments[0]).toMatchObject({ openQuantity: 5, openAveragePrice: 472 });
    }
  });

  it('a late-recorded exit closes the position as of its time: lots bought after it are still open', () => {
    // Sold 5 @ 471 at 09:16, recorded last; the 09:20 buy comes after it and stays open.
    const earlyExit = at('09:16:00', 4, 'SELL', 5, 471);
    const pnl = chainPnl([recorded, foundLater, earlyExit]);
    expect(pnl.matches.map((m) => [m.openedBy, m.closedBy, m.pnl])).toEqual([[2, 4, 5]]);
    expect(pnl.instruments[0]).toMatchObject({ openQuantity: 5, openAveragePrice: 472, realised: 5 });
  });
});
