/**
 * Realised P&L of a chain by FIFO matching of its fills. Pure: no I/O, no clock.
 *
 * Fills are taken in time order (`time`: when the fill happened at the exchange, then `seq`). Each instrument
 * (exchange + tradingsymbol) is matched on its own: a buy of one contract never offsets a sell of another, nor SBIN on
 * NSE a sale of SBIN on BSE, so a hedged chain reports the P&L of each instrument and their sum. A fill first closes
 * the oldest open lots of the opposite side (first in, first out); what is left opens a new lot. So a chain may start
 * with a sell (short) as well as with a buy.
 *
 *   realised = Σ over matched quantity of (sell price − buy price) × quantity
 *
 * Unmatched quantity stays open and is reported with its average price; it has no realised P&L yet.
 *
 * An unpriced fill (price null: Kite reported it without a usable average, and it is not yet priced from Kite's
 * trades) still takes part in the matching by quantity, so positions stay right, but no amount is made up for it:
 * a match with an unpriced side has pnl null and adds nothing to `realised`, and the quantity is reported as
 * `unpricedQuantity` (realised is provisional until it is 0).
 */

export type Side = 'BUY' | 'SELL';

export interface PnlFill {
  /** Tie-breaker for equal times: the fill's row id (insertion order). */
  seq: number;
  /** Sortable time, e.g. Kite's IST "yyyy-mm-dd hh:mm:ss". */
  time: string;
  /** NSE, BSE, NFO, …; null when unknown (such fills form an instrument of their own). */
  exchange: string | null;
  tradingsymbol: string;
  side: Side;
  quantity: number;
  /** null: unpriced. */
  price: number | null;
}

/** One FIFO match: `quantity` bought at `buyPrice` and sold at `sellPrice`. */
export interface PnlMatch {
  exchange: string | null;
  tradingsymbol: string;
  quantity: number;
  buyPrice: number | null;
  sellPrice: number | null;
  /** null when either side is unpriced. */
  pnl: number | null;
  /** seq of the fill that opened the lot and of the fill that closed it. */
  openedBy: number;
  closedBy: number;
}

export interface InstrumentPnl {
  exchange: string | null;
  tradingsymbol: string;
  boughtQuantity: number;
  /** Of the priced buys. */
  boughtValue: number;
  soldQuantity: number;
  /** Of the priced sells. */
  soldValue: number;
  matchedQuantity: number;
  realised: number;
  /** Signed: > 0 long, < 0 short, 0 flat. */
  openQuantity: number;
  /** Average price of the priced open lots; null when flat or none is priced. */
  openAveragePrice: number | null;
  /** Quantity of this instrument's fills that have no price yet. */
  unpricedQuantity: number;
}

export interface ChainPnl {
  realised: number;
  matchedQuantity: number;
  /** Σ |open quantity| over instruments. */
  openQuantity: number;
  /** Σ unpriced quantity over instruments: while > 0, `realised` leaves those fills out. */
  unpricedQuantity: number;
  instruments: InstrumentPnl[];
  matches: PnlMatch[];
}

/** Removes binary floating-point noise (0.1 + 0.2) from money; rupee amounts keep 6 decimals, far below a paisa. */
export function roundMoney(value: number): number {
  const rounded = Math.round(value * 1e6) / 1e6;
  return rounded === 0 ? 0 : rounded; // no -0
}

interface Lot {
  side: Side;
  quantity: number;
  price: number | null;
  seq: number;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compareFills(a: PnlFill, b: PnlFill): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  return a.seq - b.seq;
}

/** FIFO-matched realised P&L of one chain's fills (any order in the input; they are sorted here). */
export function chainPnl(fills: readonly PnlFill[]): ChainPnl {
  const sorted = [...fills].sort(compareFills);
  const books = new Map<string, { lots: Lot[]; stats: InstrumentPnl }>();
  const matches: PnlMatch[] = [];

  for (const fill of sorted) {
    if (!(fill.quantity > 0)) continue;
    const key = `${fill.exchange ?? ''}:${fill.tradingsymbol}`;
    let book = books.get(key);
    if (!book) {
      book = {
        lots: [],
        stats: {
          exchange: fill.exchange,
          tradingsymbol: fill.tradingsymbol,
          boughtQuantity: 0,
          boughtValue: 0,
          soldQuantity: 0,
          soldValue: 0,
          matchedQuantity: 0,
          realised: 0,
          openQuantity: 0,
          openAveragePrice: null,
          unpricedQuantity: 0,
        },
      };
      books.set(key, book);
    }
    const { lots, stats } = book;
    const value = fill.price === null ? 0 : fill.quantity * fill.price;
    if (fill.price === null) stats.unpricedQuantity += fill.quantity;
    if (fill.side === 'BUY') {
      stats.boughtQuantity += fill.quantity;
      stats.boughtValue += value;
    } else {
      stats.soldQuantity += fill.quantity;
      stats.soldValue += value;
    }

    let remaining = fill.quantity;
    while (remaining > 0 && lots.length > 0 && lots[0].side !== fill.side) {
      const lot = lots[0];
      const quantity = Math.min(remaining, lot.quantity);
      const buyPrice = fill.side === 'SELL' ? lot.price : fill.price;
      const sellPrice = fill.side === 'SELL' ? fill.price : lot.price;
      const pnl = buyPrice === null || sellPrice === null ? null : (sellPrice - buyPrice) * quantity;
      matches.push({
        exchange: fill.exchange,
        tradingsymbol: fill.tradingsymbol,
        quantity,
        buyPrice,
        sellPrice,
        pnl: pnl === null ? null : roundMoney(pnl),
        openedBy: lot.seq,
        closedBy: fill.seq,
      });
      stats.matchedQuantity += quantity;
      stats.realised += pnl ?? 0;
      lot.quantity -= quantity;
      remaining -= quantity;
      if (lot.quantity === 0) lots.shift();
    }
    if (remaining > 0) lots.push({ side: fill.side, quantity: remaining, price: fill.price, seq: fill.seq });
  }

  const instruments = [...books.values()].map(({ lots, stats }) => {
    const open = lots.reduce((sum, lot) => sum + lot.quantity, 0);
    const priced = lots.filter((lot) => lot.price !== null);
    const pricedOpen = priced.reduce((sum, lot) => sum + lot.quantity, 0);
    const pricedOpenValue = priced.reduce((sum, lot) => sum + lot.quantity * lot.price!, 0);
    const side = lots[0]?.side;
    return {
      ...stats,
      boughtValue: roundMoney(stats.boughtValue),
      soldValue: roundMoney(stats.soldValue),
      realised: roundMoney(stats.realised),
      openQuantity: side === 'SELL' ? -open : open,
      openAveragePrice: pricedOpen > 0 ? roundMoney(pricedOpenValue / pricedOpen) : null,
    };
  });
  instruments.sort((a, b) => byText(a.tradingsymbol, b.tradingsymbol) || byText(a.exchange ?? '', b.exchange ?? ''));

  return {
    realised: roundMoney(instruments.reduce((sum, i) => sum + i.realised, 0)),
    matchedQuantity: instruments.reduce((sum, i) => sum + i.matchedQuantity, 0),
    openQuantity: instruments.reduce((sum, i) => sum + Math.abs(i.openQuantity), 0),
    unpricedQuantity: instruments.reduce((sum, i) => sum + i.unpricedQuantity, 0),
    instruments,
    matches,
  };
}

export interface StrategyPnl {
  strategy: string;
  chains: number;
  /** Chains with some quantity still open. */
  openChains: number;
  matchedQuantity: number;
  realised: number;
}

/** Per strategy: the sum of its chains' realised P&L. Sorted by strategy name. */
export function strategyPnl(chains: ReadonlyArray<{ strategy: string; pnl: ChainPnl }>): StrategyPnl[] {
  const byStrategy = new Map<string, StrategyPnl>();
  for (const { strategy, pnl } of chains) {
    const row = byStrategy.get(strategy) ?? { strategy, chains: 0, openChains: 0, matchedQuantity: 0, realised: 0 };
    row.chains += 1;
    if (pnl.openQuantity > 0) row.openChains += 1;
    row.matchedQuantity += pnl.matchedQuantity;
    row.realised = roundMoney(row.realised + pnl.realised);
    byStrategy.set(strategy, row);
  }
  return [...byStrategy.values()].sort((a, b) => (a.strategy < b.strategy ? -1 : a.strategy > b.strategy ? 1 : 0));
}
