/**
 * The instrument master as strategies and the rest of legwork see it: plain read-only shapes, no entity classes.
 * The SDK re-exports these (`ctx.instruments`).
 */

/** One row of Kite's daily instrument list. */
export interface InstrumentInfo {
  readonly exchange: string;
  readonly tradingsymbol: string;
  /** Kite's numeric token (the WebSocket's key). Exchanges reuse tokens after expiries: key by exchange + tradingsymbol. */
  readonly instrumentToken: number;
  readonly exchangeToken: number;
  /** The underlying for derivatives (NIFTY, BANKNIFTY, SBIN); the company or index name otherwise. */
  readonly name: string;
  /** e.g. NFO-OPT, NFO-FUT, NSE, BFO-OPT, INDICES. */
  readonly segment: string;
  /** EQ, FUT, CE or PE. */
  readonly instrumentType: string;
  /** The expiry's calendar date, yyyy-mm-dd; null for equities and indices. */
  readonly expiry: string | null;
  /** The strike for options; null when the list has none (equities, futures). */
  readonly strike: number | null;
  /** Quantities are multiples of this (1 for equities; 0 for indices, which cannot be traded). */
  readonly lotSize: number;
  /** Prices and triggers are multiples of this. */
  readonly tickSize: number;
  /** The price in the dump (generated before the market opens): not a live price. */
  readonly lastPrice: number | null;
}

/** Which list lookups answer from. */
export interface InstrumentListInfo {
  /** The trading day the list is for (yyyy-mm-dd, IST). */
  readonly listDay: string;
  readonly loadedAt: Date;
  readonly rows: number;
  /** False when a newer day's list should be in use (its load has not happened or failed). */
  readonly current: boolean;
}

export type OptionType = 'CE' | 'PE';

export interface OptionQuery {
  /** The underlying, as in the list's `name` column: NIFTY, BANKNIFTY, SENSEX, RELIANCE… */
  underlying: string;
  /** NFO, BFO…; default: any exchange. */
  exchange?: string;
  /** yyyy-mm-dd. */
  expiry?: string;
  type?: OptionType;
  strike?: number;
}

export interface StrikeQuery {
  underlying: string;
  exchange?: string;
  expiry: string;
  type: OptionType;
  /** The strike wanted; the listed one nearest to it is returned. */
  strike: number;
  /** Only strikes strictly above this (e.g. further out of the money than a sold call). */
  above?: number;
  /** Only strikes strictly below this. */
  below?: number;
}

/** Read-only lookups in the instrument list in use (`ctx.instruments`). Every method answers from the store. */
export interface InstrumentLookup {
  /** The list in use, or null before the first list was loaded. */
  listInUse(): Promise<InstrumentListInfo | null>;
  /** By exchange + tradingsymbol, the key Kite recommends. */
  find(exchange: string, tradingsymbol: string): Promise<InstrumentInfo | null>;
  findByToken(instrumentToken: number): Promise<InstrumentInfo | null>;
  /** Options of an underlying, by expiry, then strike, then type. */
  options(query: OptionQuery): Promise<InstrumentInfo[]>;
  /** An underlying's listed expiries (options and futures, or only `type`), earliest first. */
  expiries(underlying: string, filter?: { exchange?: string; type?: OptionType | 'FUT' }): Promise<string[]>;
  /**
   * The listed option nearest to `strike` (same underlying, expiry and type), within `above`/`below` when given.
   * Ties go to the strike nearer the bound, else to the lower strike. Null when none is listed.
   */
  nearestStrike(query: StrikeQuery): Promise<InstrumentInfo | null>;
  lotSize(exchange: string, tradingsymbol: string): Promise<number | null>;
  tickSize(exchange: string, tradingsymbol: string): Promise<number | null>;
}
