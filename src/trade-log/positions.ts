/**
 * Net open quantity per instrument and per strategy, from legwork's own fills, by the same FIFO matching as realised
 * P&L (pnl.ts). Pure: no I/O, no clock.
 */
import { chainPnl, PnlFill } from './pnl';
import type { FillRow } from './trade-log.types';

/** Where fills of orders outside any chain (placed by hand or by other tools) are counted in the per-strategy view. */
export const OUTSIDE_CHAINS = '(outside chains)';

export interface InstrumentPosition {
  exchange: string | null;
  tradingsymbol: string;
  /** Signed: > 0 long, < 0 short, 0 flat. */
  netQuantity: number;
  /** FIFO average price of the open lots; null when flat. */
  averagePrice: number | null;
  boughtQuantity: number;
  soldQuantity: number;
  /** FIFO realised P&L of all the instrument's fills taken together (chains and orders outside them). */
  realised: number;
  /**
   * Kite's own net quantity for the instrument, to read beside legwork's: filled in by the positions check when it
   * runs (see KitePositionsSource); null until then, shown as "—".
   */
  kiteNetQuantity: number | null;
}

export interface StrategyPosition {
  /** The chain's strategy ("a+b" when two strategies share a chain), or OUTSIDE_CHAINS. */
  strategy: string;
  exchange: string | null;
  tradingsymbol: string;
  netQuantity: number;
  averagePrice: number | null;
}

export interface Positions {
  instruments: InstrumentPosition[];
  strategies: StrategyPosition[];
}

/** A trade-log fill as pnl.ts takes it; null for a fill whose side is unknown (it cannot be matched). */
export function pnlFillOf(fill: FillRow): PnlFill | null {
  if (fill.transactionType !== 'BUY' && fill.transactionType !== 'SELL') return null;
  return {
    seq: fill.id,
    time: fill.time,
    exchange: fill.exchange,
    tradingsymbol: fill.tradingsymbol ?? '?',
    side: fill.transactionType,
    quantity: fill.quantity,
    price: fill.price,
  };
}

/**
 * Per instrument: every fill counts (legwork's legs, chain entries and orders outside chains), as Kite's positions do.
 * Per strategy: the fills of its chains, matched across its chains, so a long in one chain and a short in another
 * net out as they do at the broker.
 */
export function positionsOf(fills: readonly FillRow[]): Positions {
  const all: PnlFill[] = [];
  const byStrategy = new Map<string, PnlFill[]>();
  for (const fill of fills) {
    const pnlFill = pnlFillOf(fill);
    if (!pnlFill) continue;
    all.push(pnlFill);
    const strategy = fill.strategy || OUTSIDE_CHAINS;
    byStrategy.set(strategy, [...(byStrategy.get(strategy) ?? []), pnlFill]);
  }
  const instruments = chainPnl(all).instruments.map((i) => ({
    exchange: i.exchange,
    tradingsymbol: i.tradingsymbol,
    netQuantity: i.openQuantity,
    averagePrice: i.openAveragePrice,
    boughtQuantity: i.boughtQuantity,
    soldQuantity: i.soldQuantity,
    realised: i.realised,
    kiteNetQuantity: null,
  }));
  const strategies = [...byStrategy.keys()].sort().flatMap((strategy) =>
    chainPnl(byStrategy.get(strategy)!).instruments.map((i) => ({
      strategy,
      exchange: i.exchange,
      tradingsymbol: i.tradingsymbol,
      netQuantity: i.openQuantity,
      averagePrice: i.openAveragePrice,
    })),
  );
  return { instruments, strategies };
}
