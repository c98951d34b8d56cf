import { sha256Hex } from '../common/kite-checksum';
import type { OrderUpdate } from '../orders/order-update';

/**
 * The identity of an order update: the order's state fields, not the bytes or the route. A postback repeated by
 * Kite, or the same update arriving by postback and by WebSocket, yields the same key and is stored once.
 */
export function dedupKeyOf(update: OrderUpdate): string {
  return sha256Hex(
    JSON.stringify([
      update.orderId,
      update.status,
      update.quantity,
      update.filledQuantity,
      update.pendingQuantity,
      update.cancelledQuantity,
      update.price,
      update.triggerPrice,
      update.averagePrice,
      update.orderTimestamp,
      update.exchangeUpdateTimestamp ?? update.exchangeTimestamp,
    ]),
  );
}
