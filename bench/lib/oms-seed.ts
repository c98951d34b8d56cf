import { KiteConnect } from 'kiteconnect';
import type { KiteSimulator } from '../../src/simulator';

export type Kite = InstanceType<typeof KiteConnect>;
export type SeedKind = 'complete' | 'partial' | 'open' | 'rejected' | 'cancelled';

/** What happens to one order after placement, in order. */
type Action = { fill: number; price: number } | { cancel: true };

export interface SeedOrder {
  kind: SeedKind;
  quantity: number;
  price: number;
  actions: Action[];
  orderId?: string;
  /** How many actions have been applied so far. */
  done: number;
}

/** The share of each kind, in twentieths: 40% complete, 15% each of partial, open, rejected and cancelled. */
const PATTERN: SeedKind[] = [
  'complete',
  'partial',
  'open',
  'complete',
  'rejected',
  'cancelled',
  'complete',
  'partial',
  'open',
  'complete',
  'rejected',
  'cancelled',
  'complete',
  'partial',
  'open',
  'complete',
  'rejected',
  'cancelled',
  'complete',
  'complete',
];

/**
 * A deterministic plan of `count` orders: LIMIT BUYs resting far below the market (so nothing fills by itself),
 * complete ones filled by three trades at different prices, partials by one or two, a third of the cancelled ones
 * after a partial fill; rejected ones are refused by RMS (quantity over the simulator's maximum).
 */
export function planOrders(count: number, maxQuantity: number): SeedOrder[] {
  return Array.from({ length: count }, (_, i) => {
    const kind = PATTERN[i % PATTERN.length];
    const price = 300 + (i % 40) * 0.05;
    const quantity = kind === 'rejected' ? maxQuantity + 1 + (i % 7) : 30 + (i % 4) * 3;
    const third = quantity / 3;
    const actions: Action[] =
      kind === 'complete'
        ? [
            { fill: third, price },
            { fill: third, price: price - 0.05 },
            { fill: third, price: price - 0.1 },
          ]
        : kind === 'partial'
          ? i % 2 === 0
            ? [{ fill: third, price }]
            : [
                { fill: third, price },
                { fill: third, price: price - 0.05 },
              ]
          : kind === 'cancelled'
            ? i % 3 === 0
              ? [{ fill: third, price }, { cancel: true }]
              : [{ cancel: true }]
            : [];
    return { kind, quantity, price, actions, done: 0 };
  });
}

/** The official client pointed at the simulator (the same calls the engine makes). */
export function kiteFor(sim: KiteSimulator): Kite {
  return new KiteConnect({ api_key: sim.options.apiKey, access_token: sim.options.accessToken, root: sim.url, timeout: 30_000 });
}

/** Run `work` over `items` with at most `concurrency` in flight. */
async function eachLimited<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/**
 * Bring each order up to `upTo` applied actions (Infinity = all): place it through the Kite API if not placed yet,
 * force its fills through the simulator's control surface, cancel through the Kite API.
 */
export async function advanceOrders(sim: KiteSimulator, kite: Kite, orders: SeedOrder[], upTo = Infinity): Promise<void> {
  await eachLimited(orders, 16, async (order) => {
    if (!order.orderId) {
      const placed = await kite.placeOrder('regular', {
        exchange: 'NSE',
        tradingsymbol: 'SBIN',
        transaction_type: 'BUY',
        quantity: order.quantity,
        product: 'CNC',
        order_type: 'LIMIT',
        price: order.price,
      });
      order.orderId = placed.order_id;
    }
    while (order.done < Math.min(upTo, order.actions.length)) {
      const action = order.actions[order.done];
      if ('cancel' in action) await kite.cancelOrder('regular', order.orderId);
      else sim.fillOrder(order.orderId, action.fill, action.price);
      order.done++;
    }
  });
}
