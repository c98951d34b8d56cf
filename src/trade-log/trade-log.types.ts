import { LEG_STATUSES as STATES, LegStatus } from '../broker/leg-state.machine';
import type { ChainPnl, StrategyPnl } from './pnl';

/** What the CLI, the page and the API filter by. Every field is optional; absent means "any". */
export interface TradeLogFilter {
  /** Trading day, yyyy-mm-dd (IST, as Kite's order timestamps). */
  date?: string;
  tradingsymbol?: string;
  strategy?: string;
  chain?: string;
  /** An order status (COMPLETE, REJECTED, OPEN, …; any case) or a leg status (intent, placing, unknown, placed, failed). */
  status?: string;
}

export const LEG_STATUSES: readonly LegStatus[] = STATES;

export interface OrderRow {
  orderId: string;
  /** The chain the order belongs to (as its root or as a leg); null for an order no strategy touched. */
  chainId: string | null;
  strategy: string | null;
  /** The leg that placed it; 'entry' for a chain's root order, null outside chains. */
  legName: string | null;
  tag: string | null;
  exchange: string | null;
  tradingsymbol: string | null;
  transactionType: string | null;
  orderType: string | null;
  product: string | null;
  quantity: number;
  filledQuantity: number;
  price: number;
  triggerPrice: number;
  averagePrice: number;
  status: string;
  statusMessage: string | null;
  /** IST strings exactly as Kite sent them. */
  orderTimestamp: string | null;
  exchangeUpdateTimestamp: string | null;
}

export interface FillRow {
  id: number;
  orderId: string;
  chainId: string | null;
  strategy: string | null;
  /** The order's exchange (NSE, NFO, …); null when the order is unknown. */
  exchange: string | null;
  tradingsymbol: string | null;
  transactionType: string | null;
  quantity: number;
  /** null while unpriced (Kite reported the fill without a usable average price; priced from its trades shortly). */
  price: number | null;
  cumulativeQuantity: number;
  /** IST: when the fill happened at the exchange (exchange_update_timestamp) when known, else when legwork stored it. */
  time: string;
}

export interface LegRow {
  id: number;
  strategy: string;
  chainId: string;
  legName: string;
  parentOrderId: string;
  tag: string;
  status: LegStatus;
  orderId: string | null;
  attempts: number;
  errorType: string | null;
  lastError: string | null;
  /** When the strategy recorded the leg (IST). */
  createdAt: string;
  /** The order parameters sent to Kite. */
  request: unknown;
  /** 0: a whole leg; 1…n: a slice of a leg sent as slices (above the freeze limit). */
  slice: number;
  /** On a leg sent as slices: how many (its slices follow it in the timeline); 0 otherwise. */
  slices: number;
  /** How a sliced leg was sent: `legwork` (one order per slice) or `autoslice` (Kite's); null when not sliced. */
  slicing: string | null;
  /** The quantity the leg (or slice) asked for. */
  quantity: number | null;
  /** Filled so far: its order's, or for a leg sent as slices the sum over its slices' orders. */
  filledQuantity: number;
}

/** One step of a chain's timeline: its entry order, or a leg with the order it placed (if any). */
export interface TimelineItem {
  /** IST time: the order's timestamp, else when the leg was recorded. */
  at: string;
  /** A chain's root order, a leg, or one slice of a leg sent as slices (after its leg). */
  kind: 'entry' | 'leg' | 'slice';
  legName: string;
  leg: LegRow | null;
  order: OrderRow | null;
}

export interface ChainView {
  chainId: string;
  /** The strategy of its legs ("a+b" if several strategies attached legs to one entry). */
  strategy: string;
  /** Trading day of the chain's first step (IST). */
  date: string;
  startedAt: string;
  rootOrderId: string;
  tradingsymbols: string[];
  timeline: TimelineItem[];
  pnl: ChainPnl;
}

export interface OrderEventView {
  id: number;
  type: string;
  status: string;
  filledQuantity: number;
  source: string;
  /** When legwork stored the transition (ISO, UTC). */
  recordedAt: string;
  /** The order's exchange update time in that transition (IST), if any. */
  exchangeUpdateTimestamp: string | null;
  reason: string | null;
  changes: string[] | null;
  fill: { quantity: number; price: number | null; cumulativeQuantity: number } | null;
}

export interface OrderDetail {
  order: OrderRow;
  leg: LegRow | null;
  events: OrderEventView[];
  fills: FillRow[];
}

export interface PnlChainRow {
  chainId: string;
  strategy: string;
  date: string;
  tradingsymbols: string[];
  matchedQuantity: number;
  openQuantity: number;
  realised: number;
}

export interface PnlReport {
  chains: PnlChainRow[];
  strategies: StrategyPnl[];
  total: { chains: number; matchedQuantity: number; realised: number };
}
