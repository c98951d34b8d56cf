/** What an update did to the order store: applied, ignored (stale or a repeat), or failed (kept for inspection). */
export type UpdateOutcome = 'applied' | 'ignored' | 'failed';

/**
 * One order update in legwork's normalised form, whatever route it came by (postback, WebSocket, getOrders row).
 * Ids and timestamps stay strings exactly as Kite sent them.
 */
export interface OrderUpdate {
  orderId: string;
  status: string;
  statusMessage: string | null;
  exchange: string | null;
  tradingsymbol: string | null;
  transactionType: string | null;
  orderType: string | null;
  product: string | null;
  variety: string | null;
  tag: string | null;
  quantity: number;
  filledQuantity: number;
  pendingQuantity: number;
  cancelledQuantity: number;
  price: number;
  triggerPrice: number;
  averagePrice: number;
  orderTimestamp: string | null;
  exchangeUpdateTimestamp: string | null;
  exchangeTimestamp: string | null;
}
