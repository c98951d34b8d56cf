/**
 * What a square-off sends, decided here (pure: no I/O, no clock).
 *
 * legwork's open quantity per chain and instrument comes from its own fills (pnl.ts, FIFO per chain); Kite's net
 * position per instrument and product is the cap: a square-off never sends more than Kite shows open in that direction
 * (a position closed by hand, or by Zerodha's own square-off, must not be reopened the other way). Closing orders go in
 * two waves, protective legs last as leg groups do on exit: first the BUYs that cover shorts, then — once those have
 * filled — the SELLs that close longs (the hedges), so a short option is never left without its hedge.
 */

export interface OpenPosition {
  chainId: string;
  exchange: string;
  tradingsymbol: string;
  product: string;
  /** Signed: > 0 long (closed by a SELL), < 0 short (closed by a BUY). */
  quantity: number;
}

/** Kite's `net` positions row, the fields used here. */
export interface KitePosition {
  exchange: string;
  tradingsymbol: string;
  product: string;
  quantity: number;
}

export interface ClosingOrder {
  chainId: string;
  exchange: string;
  tradingsymbol: string;
  product: string;
  transactionType: 'BUY' | 'SELL';
  quantity: number;
}

export interface SquareOffPlan {
  /** Covering shorts: sent first. */
  first: ClosingOrder[];
  /** Closing longs (the hedges): sent once nothing of the first wave is open. */
  second: ClosingOrder[];
  /** Open in legwork's books but not (or less) at Kite: not sent, reported. */
  notAtKite: Array<OpenPosition & { kiteQuantity: number; skipped: number }>;
}

const key = (p: { exchange: string; tradingsymbol: string; product: string }) => `${p.exchange}:${p.tradingsymbol}:${p.product}`;

export function planSquareOff(open: readonly OpenPosition[], kite: readonly KitePosition[]): SquareOffPlan {
  // What Kite still shows open per instrument and product, in each direction, handed out to chains in order.
  const left = new Map<string, number>();
  for (const row of kite) left.set(key(row), (left.get(key(row)) ?? 0) + row.quantity);
  const plan: SquareOffPlan = { first: [], second: [], notAtKite: [] };
  for (const position of open) {
    if (position.quantity === 0) continue;
    const atKite = left.get(key(position)) ?? 0;
    const long = position.quantity > 0;
    const available = long ? Math.max(atKite, 0) : Math.max(-atKite, 0);
    const quantity = Math.min(Math.abs(position.quantity), available);
    if (quantity < Math.abs(position.quantity)) plan.notAtKite.push({ ...position, kiteQuantity: atKite, skipped: Math.abs(position.quantity) - quantity });
    if (quantity === 0) continue;
    left.set(key(position), atKite + (long ? -quantity : quantity));
    const order: ClosingOrder = {
      chainId: position.chainId,
      exchange: position.exchange,
      tradingsymbol: position.tradingsymbol,
      product: position.product,
      transactionType: long ? 'SELL' : 'BUY',
      quantity,
    };
    (long ? plan.second : plan.first).push(order);
  }
  return plan;
}

/** The leg that closes one chain's instrument on a day; a later attempt (the first rejected or filled in part) gets `:n`. */
export function squareOffLegName(day: string, exchange: string, tradingsymbol: string, attempt: number): string {
  return `square-off:${day}:${exchange}:${tradingsymbol}${attempt > 1 ? `:${attempt}` : ''}`;
}

/** Is this leg one of a day's square-off legs for the instrument? Returns its attempt number, or null. */
export function squareOffAttempt(legName: string, day: string, exchange: string, tradingsymbol: string): number | null {
  const base = squareOffLegName(day, exchange, tradingsymbol, 1);
  if (legName === base) return 1;
  const match = legName.startsWith(`${base}:`) ? /^\d+$/.exec(legName.slice(base.length + 1)) : null;
  return match ? Number(match[0]) : null;
}
