import { postbackChecksum } from '../common/kite-checksum';

/** Wire shapes, field for field as in the kiteconnect-mocks (orders.json, trades.json, postback.json). */

export type TransactionType = 'BUY' | 'SELL';
export type OrderType = 'MARKET' | 'LIMIT' | 'SL' | 'SL-M';
export type Validity = 'DAY' | 'IOC' | 'TTL';

export type OrderStatus =
  | 'PUT ORDER REQ RECEIVED'
  | 'VALIDATION PENDING'
  | 'OPEN PENDING'
  | 'OPEN'
  | 'TRIGGER PENDING'
  | 'MODIFY VALIDATION PENDING'
  | 'MODIFY PENDING'
  | 'MODIFIED'
  | 'CANCEL PENDING'
  | 'COMPLETE'
  | 'CANCELLED'
  | 'REJECTED';

export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['COMPLETE', 'CANCELLED', 'REJECTED']);

/** A GET /orders (and history) row. Key order follows orders.json. */
export interface SimulatedOrder {
  placed_by: string;
  order_id: string;
  exchange_order_id: string | null;
  parent_order_id: string | null;
  status: OrderStatus;
  status_message: string | null;
  status_message_raw: string | null;
  order_timestamp: string;
  exchange_update_timestamp: string | null;
  exchange_timestamp: string | null;
  variety: string;
  modified: boolean;
  exchange: string;
  tradingsymbol: string;
  instrument_token: number;
  order_type: OrderType;
  transaction_type: TransactionType;
  validity: Validity;
  validity_ttl: number;
  product: string;
  quantity: number;
  disclosed_quantity: number;
  price: number;
  trigger_price: number;
  average_price: number;
  filled_quantity: number;
  pending_quantity: number;
  cancelled_quantity: number;
  market_protection: number;
  meta: Record<string, unknown>;
  tag: string | null;
  tags: string[];
  guid: string;
}

/** A GET /trades row. order_timestamp is time-only ("09:16:39"), as in trades.json. */
export interface TradeRow {
  trade_id: string;
  order_id: string;
  exchange: string;
  tradingsymbol: string;
  instrument_token: number;
  product: string;
  average_price: number;
  quantity: number;
  exchange_order_id: string | null;
  transaction_type: TransactionType;
  fill_timestamp: string;
  order_timestamp: string;
  exchange_timestamp: string;
}

/** Status words a postback can carry: the order's status, or UPDATE for a partial fill / modification. */
export type PostbackStatus = 'OPEN' | 'TRIGGER PENDING' | 'UPDATE' | 'COMPLETE' | 'CANCELLED' | 'REJECTED';

/** Exactly the key set of postback.json, in its order. */
export interface PostbackPayload {
  user_id: string;
  unfilled_quantity: number;
  app_id: number;
  checksum: string;
  placed_by: string;
  order_id: string;
  exchange_order_id: string | null;
  parent_order_id: string | null;
  status: PostbackStatus;
  status_message: string | null;
  status_message_raw: string | null;
  order_timestamp: string;
  exchange_update_timestamp: string | null;
  exchange_timestamp: string | null;
  variety: string;
  exchange: string;
  tradingsymbol: string;
  instrument_token: number;
  order_type: OrderType;
  transaction_type: TransactionType;
  validity: Validity;
  product: string;
  quantity: number;
  disclosed_quantity: number;
  price: number;
  trigger_price: number;
  average_price: number;
  filled_quantity: number;
  pending_quantity: number;
  cancelled_quantity: number;
  market_protection: number;
  meta: Record<string, unknown>;
  tag: string | null;
  guid: string;
}

/** Build the postback for an order row; the checksum covers the exact order_timestamp string we send. */
export function toPostback(order: SimulatedOrder, status: PostbackStatus, account: { userId: string; appId: number; apiSecret: string }): PostbackPayload {
  return {
    user_id: account.userId,
    unfilled_quantity: order.quantity - order.filled_quantity,
    app_id: account.appId,
    checksum: postbackChecksum(order.order_id, order.order_timestamp, account.apiSecret),
    placed_by: order.placed_by,
    order_id: order.order_id,
    exchange_order_id: order.exchange_order_id,
    parent_order_id: order.parent_order_id,
    status,
    status_message: order.status_message,
    status_message_raw: order.status_message_raw,
    order_timestamp: order.order_timestamp,
    exchange_update_timestamp: order.exchange_update_timestamp,
    exchange_timestamp: order.exchange_timestamp,
    variety: order.variety,
    exchange: order.exchange,
    tradingsymbol: order.tradingsymbol,
    instrument_token: order.instrument_token,
    order_type: order.order_type,
    transaction_type: order.transaction_type,
    validity: order.validity,
    product: order.product,
    quantity: order.quantity,
    disclosed_quantity: order.disclosed_quantity,
    price: order.price,
    trigger_price: order.trigger_price,
    average_price: order.average_price,
    filled_quantity: order.filled_quantity,
    pending_quantity: order.pending_quantity,
    cancelled_quantity: order.cancelled_quantity,
    market_protection: order.market_protection,
    meta: structuredClone(order.meta),
    tag: order.tag,
    guid: order.guid,
  };
}
