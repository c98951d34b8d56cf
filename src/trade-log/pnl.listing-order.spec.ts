import { pnlFill } from '../../test/helpers/pnl-fills';
import { chainPnl, strategyPnl } from './pnl';

/**
 * The trade log lists a chain's instruments and the strategies in a fixed order (symbol, then exchange; strategy
 * name), whatever order their fills were traded or recorded in, so two reads of the same day show the same table.
 */
describe('P&L: listing order', () => {
  const listed = (fills: ReturnType<typeof pnlFill>[]) => chainPnl(fills).instruments.map((i) => `${i.tradingsymbol}@${i.exchange ?? '?'}`);

  it('instruments by symbol, then exchange, whichever was traded first; an unknown exchange before the known ones', () => {
    const sbinBse = pnlFill('09:15:00', 'BUY', 1, 470, 'SBIN', 'BSE');
    const sbinNse = pnlFill('09:15:01', 'BUY', 1, 470, 'SBIN', 'NSE');
    const sbinUnknown = pnlFill('09:15:02', 'BUY', 1, 470, 'SBIN', null);
    const infy = pnlFill('09:15:03', 'BUY', 1, 1500, 'INFY', 'NSE');
    const ce = pnlFill('09:15:04', 'SELL', 75, 120, 'NIFTY25NOV24000CE', 'NFO');
    const expected = ['INFY@NSE', 'NIFTY25NOV24000CE@NFO', 'SBIN@?', 'SBIN@BSE', 'SBIN@NSE'];
    // Traded in three different orders (the fills' times decide which instrument is met first).
    const retimed = (f: ReturnType<typeof pnlFill>, time: string) => ({ ...f, time: `2026-11-25 ${time}` });
    expect(listed([sbinBse, sbinNse, sbinUnknown, infy, ce])).toEqual(expected);
    expect(listed([retimed(sbinNse, '09:00:00'), sbinBse, retimed(ce, '09:00:01'), sbinUnknown, infy])).toEqual(expected);
    expect(listed([retimed(sbinUnknown, '09:00:00'), retimed(sbinNse, '09:00:01'), retimed(infy, '09:00:02'), sbinBse, ce])).toEqual(expected);
  });

  it('fills on an unknown exchange form an instrument of their own: not netted against the same symbol on NSE', () => {
    const pnl = chainPnl([pnlFill('09:15:00', 'BUY', 10, 470, 'SBIN', null), pnlFill('09:20:00', 'SELL', 10, 472, 'SBIN', 'NSE')]);
    expect(pnl.matches).toEqual([]);
    expect(pnl.instruments.map((i) => [i.exchange, i.openQuantity])).toEqual([
      [null, 10],
      ['NSE', -10],
    ]);
  });

  it('strategies by name, whatever order their chains come in', () => {
    const flat = chainPnl([]);
    const names = ['momentum', 'alpha', 'zeta', 'hedge-on-fill', 'beta'];
    const sorted = ['alpha', 'beta', 'hedge-on-fill', 'momentum', 'zeta'];
    expect(strategyPnl(names.map((strategy) => ({ strategy, pnl: flat }))).map((s) => s.strategy)).toEqual(sorted);
    expect(strategyPnl([...names].reverse().map((strategy) => ({ strategy, pnl: flat }))).map((s) => s.strategy)).toEqual(sorted);
  });
});
