import { pnlFill } from '../../test/helpers/pnl-fills';
import { chainPnl, roundMoney, strategyPnl } from './pnl';

describe('chainPnl (FIFO)', () => {
  it('is zero and flat for no fills', () => {
    expect(chainPnl([])).toEqual({ realised: 0, matchedQuantity: 0, openQuantity: 0, unpricedQuantity: 0, instruments: [], matches: [] });
  });

  it('matches a simple round trip', () => {
    const pnl = chainPnl([pnlFill('09:15:00', 'BUY', 10, 1500), pnlFill('10:00:00', 'SELL', 10, 1512.5)]);
    expect(pnl.realised).toBe(125);
    expect(pnl.matchedQuantity).toBe(10);
    expect(pnl.openQuantity).toBe(0);
    expect(pnl.instruments).toEqual([
      {
        exchange: 'NSE',
        tradingsymbol: 'INFY',
        boughtQuantity: 10,
        boughtValue: 15000,
        soldQuantity: 10,
        soldValue: 15125,
        matchedQuantity: 10,
        realised: 125,
        openQuantity: 0,
        openAveragePrice: null,
        unpricedQuantity: 0,
      },
    ]);
  });

  it('closes the oldest lots first', () => {
    // Lots: 5 @ 100, then 5 @ 110. Selling 7 @ 120 closes 5 @ 100 (+100) and 2 @ 110 (+20); 3 @ 110 stay open.
    const pnl = chainPnl([pnlFill('09:15:00', 'BUY', 5, 100), pnlFill('09:20:00', 'BUY', 5, 110), pnlFill('09:30:00', 'SELL', 7, 120)]);
    expect(pnl.realised).toBe(120);
    expect(pnl.matches.map((m) => [m.quantity, m.buyPrice, m.sellPrice, m.pnl])).toEqual([
      [5, 100, 120, 100],
      [2, 110, 120, 20],
    ]);
    expect(pnl.instruments[0]).toMatchObject({ openQuantity: 3, openAveragePrice: 110, matchedQuantity: 7 });
    expect(pnl.openQuantity).toBe(3);
  });

  it('orders fills by time, not by input order, and by seq on equal times', () => {
    const late = pnlFill('11:00:00', 'SELL', 4, 90);
    const early = pnlFill('09:00:00', 'BUY', 4, 100);
    const pnl = chainPnl([late, early]);
    expect(pnl.realised).toBe(-40);
    expect(pnl.openQuantity).toBe(0);

    // Same second: the lower seq came first, so the buy at 50 is the lot the sell closes.
    const a = { ...pnlFill('09:00:00', 'BUY', 1, 50), seq: 1000 };
    const b = { ...pnlFill('09:00:00', 'BUY', 1, 60), seq: 1001 };
    const c = { ...pnlFill('09:00:00', 'SELL', 1, 70), seq: 1002 };
    expect(chainPnl([c, b, a]).realised).toBe(20);
  });

  it('handles a short first: a sell opens, a later buy closes', () => {
    const pnl = chainPnl([pnlFill('09:15:00', 'SELL', 50, 210.35), pnlFill('14:00:00', 'BUY', 30, 190.1)]);
    // (210.35 − 190.10) × 30 = 607.50; 20 stay short at 210.35.
    expect(pnl.realised).toBe(607.5);
    expect(pnl.instruments[0]).toMatchObject({ openQuantity: -20, openAveragePrice: 210.35 });
    expect(pnl.openQuantity).toBe(20);
  });

  it('flips from long to short within one fill', () => {
    const pnl = chainPnl([pnlFill('09:15:00', 'BUY', 2, 100), pnlFill('09:16:00', 'SELL', 5, 105), pnlFill('09:17:00', 'BUY', 3, 101)]);
    // sell 5: 2 close the long (+10), 3 open short at 105; buy 3 @ 101 closes the short (+12).
    expect(pnl.realised).toBe(22);
    expect(pnl.matchedQuantity).toBe(5);
    expect(pnl.openQuantity).toBe(0);
  });

  it('matches each instrument on its own and sums them', () => {
    const pnl = chainPnl([
      pnlFill('09:15:00', 'BUY', 75, 120.5, 'NIFTY25NOV24000CE'),
      pnlFill('09:15:01', 'SELL', 75, 80.25, 'NIFTY25NOV23500PE'),
      pnlFill('15:00:00', 'SELL', 75, 130.5, 'NIFTY25NOV24000CE'),
    ]);
    // CE: (130.50 − 120.50) × 75 = 750; the PE sell is not offset by the CE buy and stays open (short 75).
    expect(pnl.realised).toBe(750);
    expect(pnl.instruments.map((i) => [i.tradingsymbol, i.realised, i.openQuantity])).toEqual([
      ['NIFTY25NOV23500PE', 0, -75],
      ['NIFTY25NOV24000CE', 750, 0],
    ]);
    expect(pnl.openQuantity).toBe(75);
  });

  it('matches per exchange + tradingsymbol: SBIN bought on NSE is not closed by SBIN sold on BSE', () => {
    const pnl = chainPnl([pnlFill('09:15:00', 'BUY', 10, 470, 'SBIN', 'NSE'), pnlFill('09:20:00', 'SELL', 10, 472, 'SBIN', 'BSE')]);
    expect(pnl.realised).toBe(0);
    expect(pnl.matches).toEqual([]);
    expect(pnl.instruments.map((i) => [i.exchange, i.tradingsymbol, i.openQuantity, i.openAveragePrice])).toEqual([
      ['BSE', 'SBIN', -10, 472],
      ['NSE', 'SBIN', 10, 470],
    ]);
    expect(pnl.openQuantity).toBe(20);
    // On one exchange they do close each other.
    expect(chainPnl([pnlFill('09:15:00', 'BUY', 10, 470, 'SBIN', 'BSE'), pnlFill('09:20:00', 'SELL', 10, 472, 'SBIN', 'BSE')]).realised).toBe(20);
  });

  it('an unpriced fill is matched by quantity but never valued at 0: its matches have no P&L and it is reported as unpriced', () => {
    const pnl = chainPnl([
      pnlFill('09:15:00', 'BUY', 4, 100),
      pnlFill('09:16:00', 'BUY', 6, null), // Kite gave no average yet
      pnlFill('09:30:00', 'SELL', 10, 110),
    ]);
    // 4 × (110 − 100) = 40 is known; the 6 bought without a price add nothing (at 0 they would add 660).
    expect(pnl.realised).toBe(40);
    expect(pnl.matchedQuantity).toBe(10);
    expect(pnl.openQuantity).toBe(0);
    expect(pnl.unpricedQuantity).toBe(6);
    expect(pnl.matches.map((m) => [m.quantity, m.buyPrice, m.sellPrice, m.pnl])).toEqual([
      [4, 100, 110, 40],
      [6, null, 110, null],
    ]);
    expect(pnl.instruments[0]).toMatchObject({ boughtQuantity: 10, boughtValue: 400, soldValue: 1100, unpricedQuantity: 6 });
    // An unpriced lot still open: counted as open, left out of the open average.
    const open = chainPnl([pnlFill('09:15:00', 'BUY', 2, 100), pnlFill('09:16:00', 'BUY', 3, null)]);
    expect(open.instruments[0]).toMatchObject({ openQuantity: 5, openAveragePrice: 100, unpricedQuantity: 3 });
  });

  it('keeps money free of floating-point noise', () => {
    // 0.1 + 0.2 style noise: (100.3 − 100.1) × 3 = 0.6000000000000085 in binary floating point.
    expect(chainPnl([pnlFill('09:00:00', 'BUY', 3, 100.1), pnlFill('09:01:00', 'SELL', 3, 100.3)]).realised).toBe(0.6);
    expect(roundMoney(-0.0000001)).toBe(0);
    expect(Object.is(roundMoney(-0.0000001), -0)).toBe(false);
  });

  it('ignores zero and negative quantities', () => {
    expect(chainPnl([pnlFill('09:00:00', 'BUY', 0, 100), pnlFill('09:01:00', 'SELL', -1, 100)]).instruments).toEqual([]);
  });
});

describe('strategyPnl', () => {
  it('sums the chains of each strategy, sorted by name', () => {
    const win = chainPnl([pnlFill('09:00:00', 'BUY', 10, 100), pnlFill('10:00:00', 'SELL', 10, 103)]); // +30
    const loss = chainPnl([pnlFill('09:00:00', 'BUY', 5, 200), pnlFill('10:00:00', 'SELL', 5, 190)]); // −50
    const open = chainPnl([pnlFill('09:00:00', 'BUY', 4, 50), pnlFill('10:00:00', 'SELL', 1, 52.5)]); // +2.5, 3 open
    expect(
      strategyPnl([
        { strategy: 'zeta', pnl: loss },
        { strategy: 'alpha', pnl: win },
        { strategy: 'alpha', pnl: open },
      ]),
    ).toEqual([
      { strategy: 'alpha', chains: 2, openChains: 1, matchedQuantity: 11, realised: 32.5 },
      { strategy: 'zeta', chains: 1, openChains: 0, matchedQuantity: 5, realised: -50 },
    ]);
  });
});
