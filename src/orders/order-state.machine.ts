import { OrderEventName } from '../events/order-event-names';
import type { FillDelta } from '../events/order.events';
import type { OrderSnapshot } from '../events/order-snapshot';
import type { OrderUpdate } from './order-update';

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['COMPLETE', 'CANCELLED', 'REJECTED']);

export const isTerminal = (status: string): boolean => TERMINAL_STATUSES.has(status);

/** An event the transition wants published; ids are assigned when it is stored. */
export interface PendingOrderEvent {
  name: OrderEventName;
  fill?: FillDelta;
  reason?: string;
  changes?: string[];
}

export type Transition =
  | {
      kind: 'applied';
      next: OrderSnapshot;
      events: PendingOrderEvent[];
      fill: FillDelta | null;
      /** When the fill happened: the time of the update that carried it (IST, as Kite sent it); null without a fill. */
      fillTime: string | null;
      note?: string;
    }
  | { kind: 'ignored'; reason: string };

/** Fields whose change (without a fill) is reported as order.updated. */
const MODIFIABLE: ReadonlyArray<keyof OrderSnapshot> = ['status', 'quantity', 'price', 'triggerPrice', 'orderType'];

/** Round away binary floating-point noise (prices have at most 4 decimals on Kite). */
const roundPrice = (value: number): number => Math.round(value * 1e6) / 1e6;

/** The timestamp that orders updates of one order: exchange update time, else exchange time, else order time. */
const updateTime = (o: { exchangeUpdateTimestamp: string | null; orderTimestamp: string | null }, fallback?: string | null) =>
  o.exchangeUpdateTimestamp ?? fallback ?? o.orderTimestamp ?? '';

/**
 * The fill delta when filled_quantity rises from q0 at average p0 to q1 at average p1:
 * q1 − q0 at (p1·q1 − p0·q0) / (q1 − q0).
 *
 * Unpriced (price null) when the averages cannot price it: Kite reported the new quantity without an average
 * (p1 = 0), the average at q0 is unknown (an earlier rise was unpriced, so the store holds p0 = 0 with q0 > 0), or the
 * averages are inconsistent (the delta would not cost a positive amount). Such a fill is stored without a price and
 * priced later from Kite's trades (src/reconcile/fill-pricer.service.ts), never at 0 or a guess.
 */
export function fillDelta(q0: number, p0: number, q1: number, p1: number): FillDelta {
  const quantity = q1 - q0;
  const averagesKnown = p1 > 0 && (q0 === 0 || p0 > 0);
  const price = averagesKnown ? roundPrice((p1 * q1 - p0 * q0) / quantity) : null;
  return { quantity, price: price !== null && Number.isFinite(price) && price > 0 ? price : null, cumulativeQuantity: q1 };
}

/**
 * Kite's UPDATE is a postback word (partial fill or modify), not an order-book status: such an order is OPEN.
 */
function bookStatus(update: OrderUpdate): string {
  return update.status === 'UPDATE' ? 'OPEN' : update.status;
}

function snapshotOf(update: OrderUpdate, status: string): OrderSnapshot {
  return {
    orderId: update.orderId,
    status,
    statusMessage: update.statusMessage,
    exchange: update.exchange,
    tradingsymbol: update.tradingsymbol,
    transactionType: update.transactionType,
    orderType: update.orderType,
    product: update.product,
    variety: update.variety,
    tag: update.tag,
    quantity: update.quantity,
    filledQuantity: update.filledQuantity,
    pendingQuantity: update.pendingQuantity,
    cancelledQuantity: update.cancelledQuantity,
    price: update.price,
    triggerPrice: update.triggerPrice,
    averagePrice: update.averagePrice,
    orderTimestamp: update.orderTimestamp,
    exchangeUpdateTimestamp: update.exchangeUpdateTimestamp ?? update.exchangeTimestamp,
  };
}

function terminalEvent(next: OrderSnapshot): PendingOrderEvent {
  switch (next.status) {
    case 'COMPLETE':
      return { name: OrderEventName.Completed };
    case 'CANCELLED':
      return { name: OrderEventName.Cancelled };
    default:
      return { name: OrderEventName.Rejected, reason: next.statusMessage ?? 'rejected (no reason given)' };
  }
}

/**
 * Pure, monotonic order state machine. Given the stored state (or null) and an update, decide the next state and
 * the events to publish. It never leaves a terminal state, never lowers filled_quantity, and ignores updates older
 * than the stored one unless they carry a fill the store has not seen.
 */
export function applyOrderUpdate(prev: OrderSnapshot | null, update: OrderUpdate): Transition {
  const status = bookStatus(update);

  if (!prev) {
    const next = snapshotOf(update, status);
    const events: PendingOrderEvent[] = [];
    if (!isTerminal(status)) events.push({ name: OrderEventName.Opened });
    const fill = next.filledQuantity > 0 ? fillDelta(0, 0, next.filledQuantity, next.averagePrice) : null;
    if (fill) events.push({ name: OrderEventName.Filled, fill });
    if (isTerminal(status)) events.push(terminalEvent(next));
    return { kind: 'applied', next, events, fill, fillTime: fill ? next.exchangeUpdateTimestamp : null };
  }

  if (isTerminal(prev.status)) {
    return { kind: 'ignored', reason: `already ${prev.status}; ${update.status} (filled ${update.filledQuantity}) ignored` };
  }

  const rises = update.filledQuantity > prev.filledQuantity;
  const terminal = isTerminal(status);
  const older = updateTime(update, update.exchangeTimestamp) < updateTime(prev);

  if (update.filledQuantity < prev.filledQuantity && !terminal) {
    return { kind: 'ignored', reason: `stale: filled ${update.filledQuantity} < known ${prev.filledQuantity}` };
  }
  if (!rises && !terminal && older) {
    return { kind: 'ignored', reason: `stale: ${updateTime(update, update.exchangeTimestamp)} is older than ${updateTime(prev)}` };
  }

  // An older update that carries a new fill brings the fill, not its older view of the order: the newer clock, status
  // and modifications stay, and a later update of the same age as this one is still stale.
  const next = rises && older && !terminal ? withFillOf(prev, update) : snapshotOf(update, status);
  let note: string | undefined;
  if (update.filledQuantity < prev.filledQuantity) {
    // A terminal update reporting fewer fills than already seen: take the terminal status, keep the fills.
    next.filledQuantity = prev.filledQuantity;
    next.averagePrice = prev.averagePrice;
    note = `terminal ${status} reported filled ${update.filledQuantity} < known ${prev.filledQuantity}; kept ${prev.filledQuantity}`;
  }
  // Fields a partial update leaves empty keep their known values.
  for (const key of ['tag', 'tradingsymbol', 'exchange', 'transactionType', 'product', 'variety', 'orderType'] as const) {
    if (next[key] === null) next[key] = prev[key];
  }
  if (next.statusMessage === null && !terminal) next.statusMessage = prev.statusMessage;

  const events: PendingOrderEvent[] = [];
  const fill = rises ? fillDelta(prev.filledQuantity, prev.averagePrice, next.filledQuantity, next.averagePrice) : null;
  if (fill) events.push({ name: OrderEventName.Filled, fill });
  if (terminal) {
    events.push(terminalEvent(next));
  } else if (!fill) {
    const changes = MODIFIABLE.filter((key) => next[key] !== prev[key]).map(String);
    if (changes.length === 0) return { kind: 'ignored', reason: 'no change in order state' };
    events.push({ name: OrderEventName.Updated, changes });
  }
  return { kind: 'applied', next, events, fill, fillTime: fill ? updateTime(update, update.exchangeTimestamp) || null : null, note };
}

/** The stored order with only the fill of an older update applied (its quantities); pending follows from them. */
function withFillOf(prev: OrderSnapshot, update: OrderUpdate): OrderSnapshot {
  const filledQuantity = update.filledQuantity;
  return {
    ...prev,
    filledQuantity,
    averagePrice: update.averagePrice,
    pendingQuantity: Math.max(0, prev.quantity - filledQuantity - prev.cancelledQuantity),
  };
}
