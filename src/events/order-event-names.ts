/** Every domain event legwork publishes about orders. Use these constants, never string literals. */
export const OrderEventName = {
  Opened: 'order.opened',
  Updated: 'order.updated',
  Filled: 'order.filled',
  Completed: 'order.completed',
  Rejected: 'order.rejected',
  Cancelled: 'order.cancelled',
} as const;

export type OrderEventName = (typeof OrderEventName)[keyof typeof OrderEventName];

export const ALL_ORDER_EVENT_NAMES: readonly OrderEventName[] = Object.values(OrderEventName);
