import type { PnlFill } from '../../src/trade-log/pnl';

let lastSeq = 0;

/**
 * A fill for the P&L specs: executed at `time` (IST, on 2026-11-25), recorded after every fill made before it (its
 * seq, the row id, grows with each call). Defaults: INFY on NSE.
 */
export const pnlFill = (
  time: string,
  side: 'BUY' | 'SELL',
  quantity: number,
  price: number | null,
  tradingsymbol = 'INFY',
  exchange: string | null = 'NSE',
): PnlFill => ({
  seq: ++lastSeq,
  time: `2026-11-25 ${time}`,
  exchange,
  tradingsymbol,
  side,
  quantity,
  price,
});
