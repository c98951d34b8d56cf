// The update's shape lives with the events (the stores below the order state carry it too); parsing it lives here.
export type { OrderUpdate, UpdateOutcome } from '../events/order-update';
import type { OrderUpdate } from '../events/order-update';

export class InvalidOrderUpdateError extends Error {}

const text = (value: unknown): string | null => {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return null;
};

const num = (value: unknown, field: string): number => {
  if (value === null || value === undefined || value === '') return 0;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new InvalidOrderUpdateError(`${field} is not a number: ${JSON.stringify(value)}`);
  return n;
};

/** Kite's docs say CANCEL where the status field says CANCELLED; accept both, and case/space variations. */
export function normaliseStatus(status: string): string {
  const word = status.trim().toUpperCase().replace(/\s+/g, ' ');
  return word === 'CANCEL' ? 'CANCELLED' : word;
}

/** Build an OrderUpdate from a Kite order payload (postback body, WS `data`, or order-book row). */
export function toOrderUpdate(payload: Record<string, unknown>): OrderUpdate {
  const orderId = text(payload.order_id);
  if (!orderId) throw new InvalidOrderUpdateError('order_id is missing');
  const status = text(payload.status);
  if (!status) throw new InvalidOrderUpdateError('status is missing');
  return {
    orderId,
    status: normaliseStatus(status),
    statusMessage: text(payload.status_message) ?? text(payload.status_message_raw),
    exchange: text(payload.exchange),
    tradingsymbol: text(payload.tradingsymbol),
    transactionType: text(payload.transaction_type),
    orderType: text(payload.order_type),
    product: text(payload.product),
    variety: text(payload.variety),
    tag: text(payload.tag),
    quantity: num(payload.quantity, 'quantity'),
    filledQuantity: num(payload.filled_quantity, 'filled_quantity'),
    pendingQuantity: num(payload.pending_quantity, 'pending_quantity'),
    cancelledQuantity: num(payload.cancelled_quantity, 'cancelled_quantity'),
    price: num(payload.price, 'price'),
    triggerPrice: num(payload.trigger_price, 'trigger_price'),
    averagePrice: num(payload.average_price, 'average_price'),
    orderTimestamp: text(payload.order_timestamp),
    exchangeUpdateTimestamp: text(payload.exchange_update_timestamp),
    exchangeTimestamp: text(payload.exchange_timestamp),
  };
}
