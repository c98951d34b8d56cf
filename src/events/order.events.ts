import { OrderEventName } from './order-event-names';
import type { OrderEventSource, OrderSnapshot } from './order-snapshot';

/**
 * Base of every order domain event. `eventId` is the order_events row id: stable across
 * re-delivery after a crash, so handlers can use it (or the order id and fill) as an idempotency key.
 */
export abstract class OrderEvent {
  abstract readonly name: OrderEventName;
  constructor(
    readonly eventId: number,
    readonly source: OrderEventSource,
    readonly order: OrderSnapshot,
  ) {}

  get orderId(): string {
    return this.order.orderId;
  }
}

/** First sight of an order in a non-terminal state. */
export class OrderOpenedEvent extends OrderEvent {
  readonly name = OrderEventName.Opened;
}

/** A non-terminal change without a new fill: modify (price, quantity, trigger) or status word. */
export class OrderUpdatedEvent extends OrderEvent {
  readonly name = OrderEventName.Updated;
  constructor(
    eventId: number,
    source: OrderEventSource,
    order: OrderSnapshot,
    readonly changes: string[],
  ) {
    super(eventId, source, order);
  }
}

/**
 * The fill delta: filled_quantity rose by `fill.quantity` at `fill.price`. Published for partial and final fills.
 * `price` is null when Kite reported the rise without a usable average price (e.g. average_price 0): the trade log
 * prices such a fill from Kite's trades shortly after; a handler that needs the price reads the order's trades.
 */
export interface FillDelta {
  quantity: number;
  price: number | null;
  cumulativeQuantity: number;
}
export class OrderFilledEvent extends OrderEvent {
  readonly name = OrderEventName.Filled;
  constructor(
    eventId: number,
    source: OrderEventSource,
    order: OrderSnapshot,
    readonly fill: FillDelta,
  ) {
    super(eventId, source, order);
  }
}

export class OrderCompletedEvent extends OrderEvent {
  readonly name = OrderEventName.Completed;
}

export class OrderRejectedEvent extends OrderEvent {
  readonly name = OrderEventName.Rejected;
  constructor(
    eventId: number,
    source: OrderEventSource,
    order: OrderSnapshot,
    readonly reason: string,
  ) {
    super(eventId, source, order);
  }
}

export class OrderCancelledEvent extends OrderEvent {
  readonly name = OrderEventName.Cancelled;
}

export type AnyOrderEvent = OrderOpenedEvent | OrderUpdatedEvent | OrderFilledEvent | OrderCompletedEvent | OrderRejectedEvent | OrderCancelledEvent;

/** Maps each event name to its class, for typed subscriptions. */
export interface OrderEventMap {
  [OrderEventName.Opened]: OrderOpenedEvent;
  [OrderEventName.Updated]: OrderUpdatedEvent;
  [OrderEventName.Filled]: OrderFilledEvent;
  [OrderEventName.Completed]: OrderCompletedEvent;
  [OrderEventName.Rejected]: OrderRejectedEvent;
  [OrderEventName.Cancelled]: OrderCancelledEvent;
}

/** What an order_events row stores: enough to rebuild the exact event after a restart. */
export interface StoredOrderEventPayload {
  order: OrderSnapshot;
  fill?: FillDelta;
  reason?: string;
  changes?: string[];
}

/** Rebuild the typed event from its stored row. */
export function hydrateOrderEvent(eventId: number, name: string, source: OrderEventSource, payload: StoredOrderEventPayload): AnyOrderEvent {
  switch (name) {
    case OrderEventName.Opened:
      return new OrderOpenedEvent(eventId, source, payload.order);
    case OrderEventName.Updated:
      return new OrderUpdatedEvent(eventId, source, payload.order, payload.changes ?? []);
    case OrderEventName.Filled:
      if (!payload.fill) throw new Error(`order.filled event ${eventId} has no fill`);
      return new OrderFilledEvent(eventId, source, payload.order, payload.fill);
    case OrderEventName.Completed:
      return new OrderCompletedEvent(eventId, source, payload.order);
    case OrderEventName.Rejected:
      return new OrderRejectedEvent(eventId, source, payload.order, payload.reason ?? payload.order.statusMessage ?? '');
    case OrderEventName.Cancelled:
      return new OrderCancelledEvent(eventId, source, payload.order);
    default:
      throw new Error(`Unknown order event type "${name}" (event ${eventId})`);
  }
}
