import { applyOrderUpdate, Transition } from '../../src/orders/order-state.machine';
import { OrderUpdate, toOrderUpdate } from '../../src/orders/order-update';
import type { OrderSnapshot } from '../../src/events/order-snapshot';

/**
 * One update of the same 10-lot LIMIT SELL of NIFTY25DEC24000CE (tag hedge1, price 100), as Kite would send it:
 * `status`, `filled` at average `average`, stamped `time` (exchange_update_timestamp). `extra` overrides any field of
 * the normalised update (null for a field the update leaves out).
 */
export const orderUpdate = (status: string, filled: number, average: number, time: string, extra: Partial<OrderUpdate> = {}): OrderUpdate => ({
  ...toOrderUpdate({
    order_id: '1953341975595868160',
    status,
    quantity: 10,
    filled_quantity: filled,
    pending_quantity: 10 - filled,
    average_price: average,
    price: 100,
    order_type: 'LIMIT',
    tradingsymbol: 'NIFTY25DEC24000CE',
    transaction_type: 'SELL',
    tag: 'hedge1',
    order_timestamp: '2026-11-25 09:15:00',
    exchange_update_timestamp: time,
  }),
  ...extra,
});

/** Feeds updates to the order state machine in the order given, as the store would; the final state, every event name, every transition. */
export function feed(...updates: OrderUpdate[]): { state: OrderSnapshot | null; events: string[]; transitions: Transition[] } {
  let state: OrderSnapshot | null = null;
  const events: string[] = [];
  const transitions: Transition[] = [];
  for (const u of updates) {
    const t = applyOrderUpdate(state, u);
    transitions.push(t);
    if (t.kind === 'applied') {
      state = t.next;
      events.push(...t.events.map((e) => e.name));
    }
  }
  return { state, events, transitions };
}
