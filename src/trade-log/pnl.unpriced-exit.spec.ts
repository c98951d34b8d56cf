import { pnlFill } from '../../test/helpers/pnl-fills';
import { chainPnl } from './pnl';

/**
 * The exit filled but Kite gave no usable average yet (the fill is stored unpriced until Kite's trades price it).
 * The position is closed by quantity, but no amount is made up: at price 0 the exit would book the whole entry value
 * as a loss.
 */
describe('P&L: an exit fill without a price', () => {
  it('closes the position but books neither profit nor loss for it; realised stays provisional', () => {
    const pnl = chainPnl([pnlFill('09:15:00', 'BUY', 10, 1500), pnlFill('10:00:00', 'SELL', 10, null)]);
    expect(pnl.matches.map((m) => [m.quantity, m.buyPrice, m.sellPrice, m.pnl])).toEqual([[10, 1500, null, null]]);
    expect(pnl.realised).toBe(0); // at price 0 it would be −15000
    expect(pnl).toMatchObject({ matchedQuantity: 10, openQuantity: 0, unpricedQuantity: 10 });
    expect(pnl.instruments[0]).toMatchObject({ boughtValue: 15000, soldQuantity: 10, soldValue: 0, openAveragePrice: null });
  });

  it('a partly priced exit books the priced part only', () => {
    const pnl = chainPnl([pnlFill('09:15:00', 'BUY', 10, 1500), pnlFill('10:00:00', 'SELL', 4, 1510), pnlFill('10:00:01', 'SELL', 6, null)]);
    expect(pnl.matches.map((m) => m.pnl)).toEqual([40, null]);
    expect(pnl.realised).toBe(40);
    expect(pnl.unpricedQuantity).toBe(6);
  });

  it('a short covered by an unpriced buy books nothing for it either', () => {
    const pnl = chainPnl([
      pnlFill('09:15:00', 'SELL', 50, 210.35, 'NIFTY25NOV24000CE', 'NFO'),
      pnlFill('14:00:00', 'BUY', 50, null, 'NIFTY25NOV24000CE', 'NFO'),
    ]);
    expect(pnl.matches.map((m) => [m.buyPrice, m.sellPrice, m.pnl])).toEqual([[null, 210.35, null]]);
    expect(pnl.realised).toBe(0);
    expect(pnl.instruments[0]).toMatchObject({ boughtValue: 0, soldValue: 10517.5, unpricedQuantity: 50 });
  });
});
