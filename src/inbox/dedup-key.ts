import { sha256Hex } from '../common/kite-checksum';
import type { OrderUpdate } from '../orders/order-update';

/**
 * The identity of an order update: the order's state fields, not the bytes or the route. A postback repeated by
 * Kite, or the same update arriving by postback and by WebSocket, yields the same key and is stored once.
 *
 * `<order id>:<hash>`: the order id first keeps the unique index's inserts together — one order's updates side by
 * side, and new orders at its end, since Kite's order ids grow through the day. A bare hash put every insert on a
 * random page of the index, and every page a commit changes is written out again (issue 15: a quarter of the
 * ingress's writes).
 */
export function dedupKeyOf(update: OrderUpdate): string {
  return `${update.orderId}:${hashOf(update)}`;
}

function hashOf(update: OrderUpdate): string {
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
