import type { OrderSnapshot } from './order-snapshot';

/** What an update did to the order store: applied, ignored (stale or a repeat), or failed (kept for inspection). */
export type UpdateOutcome = 'applied' | 'ignored' | 'failed';

/**
 * One order update in legwork's normalised form, whatever route it came by (postback, WebSocket, getOrders row).
 * Ids and timestamps stay strings exactly as Kite sent them.
 */
export interface OrderUpdate extends OrderSnapshot {
  /** When the exchange registered the order (a fill is timed by exchangeUpdateTimestamp instead). */
  exchangeTimestamp: string | null;
}
