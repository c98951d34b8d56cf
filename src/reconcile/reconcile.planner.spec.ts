import type { OrderSnapshot } from '../events/order-snapshot';
import { applyOrderUpdate } from '../orders/order-state.machine';
import { toOrderUpdate } from '../orders/order-update';
import { kiteTimestamp, withKiteTimestamps } from './kite-timestamps';
import { advancesOrder, KiteRow, planReconcile } from './reconcile.planner';
import sampleOrders from '../../test/fixtures/kite-orders.json';

const row = (id: string, status: string, filled: number, qty: number, avg: number, time: string, extra: KiteRow = {}): KiteRow => ({
  order_id: id,
  status,
  quantity: qty,
  filled_quantity: filled,
  pending_quantity: qty - filled,
  cancelled_quantity: 0,
  average_price: avg,
  price: 0,
  trigger_price: 0,
  tradingsymbol: 'SBIN',
  transaction_type: 'BUY',
  order_timestamp: time,
  exchange_update_timestamp: time,
  ...extra,
});
const trade = (orderId: string, id: string, qty: number, price: number, time: string): KiteRow => ({
  trade_id: id,
  order_id: orderId,
  quantity: qty,
  average_price: price,
  fill_timestamp: time,
});
const snapshot = (r: KiteRow): OrderSnapshot => {
  const t = applyOrderUpdate(null, toOrderUpdate(r));
  if (t.kind !== 'applied') throw new Error('not applied');
  return t.next;
};

describe('planReconcile', () => {
  it('produces nothing for orders the store already knows exactly', () => {
    const r = row('1', 'COMPLETE', 5, 5, 100, '2026-11-25 09:15:00');
    expect(planReconcile(new Map([['1', snapshot(r)]]), [r], [])).toEqual([]);
  });

  it('brings in unknown orders in placement order, parents before the legs they triggered', () => {
    const leg = row('2', 'OPEN', 0, 5, 0, '2026-11-25 09:16:00');
    const entry = row('1', 'COMPLETE', 5, 5, 100, '2026-11-25 09:15:00');
    expect(planReconcile(new Map(), [leg, entry], []).map((r) => r.order_id)).toEqual(['1', '2']);
  });

  it('replays missed fills one trade at a time, skipping the fills already known', () => {
    const known = snapshot(row('1', 'UPDATE', 3, 10, 100, '2026-11-25 09:15:01'));
    const oms = row('1', 'COMPLETE', 10, 10, 101.3, '2026-11-25 09:15:03');
    const trades = [
      trade('1', 't3', 3, 102, '2026-11-25 09:15:03'),
      trade('1', 't1', 3, 100, '2026-11-25 09:15:01'),
      trade('1', 't2', 4, 101.75, '2026-11-25 09:15:02'),
    ];
    const plan = planReconcile(new Map([['1', known]]), [oms], trades);
    expect(plan.map((r) => [r.status, r.filled_quantity, r.average_price])).toEqual([
      ['UPDATE', 7, 101],
      ['COMPLETE', 10, 101.3],
    ]);
    // Fed through the state machine, they yield the same deltas live postbacks would have.
    let state: OrderSnapshot = known;
    const deltas = plan.map((r) => {
      const t = applyOrderUpdate(state, toOrderUpdate(r));
      if (t.kind !== 'applied') throw new Error(t.reason);
      state = t.next;
      return t.fill && [t.fill.quantity, t.fill.price];
    });
    expect(deltas).toEqual([
      [4, 101.75],
      [3, 102],
    ]);
  });

  it('falls back to one aggregate delta when the trades do not add up', () => {
    const plan = planReconcile(new Map(), [row('1', 'COMPLETE', 10, 10, 101, '2026-11-25 09:15:03')], [trade('1', 't1', 3, 100, 't')]);
    expect(plan).toHaveLength(1);
  });

  it('never plans to leave a terminal state', () => {
    const known = snapshot(row('1', 'CANCELLED', 0, 5, 0, '2026-11-25 09:15:00'));
    expect(planReconcile(new Map([['1', known]]), [row('1', 'OPEN', 0, 5, 0, '2026-11-25 09:14:00')], [])).toEqual([]);
  });

  it("handles Kite's sample order book, including a 19-digit id", () => {
    const plan = planReconcile(new Map(), sampleOrders.data, []);
    expect(plan).toHaveLength(sampleOrders.data.length);
    expect(plan.map((r) => r.order_id)).toContain('1953341975595868160');
  });
});

describe('kiteTimestamp', () => {
  it('restores the IST string kiteconnect turned into a local-time Date', () => {
    const original = '2021-05-31 09:18:57';
    expect(kiteTimestamp(new Date(original))).toBe(original); // what kiteconnect does, undone
    expect(withKiteTimestamps({ order_timestamp: new Date(original), exchange_update_timestamp: original, x: 1 })).toEqual({
      order_timestamp: original,
      exchange_update_timestamp: original,
      x: 1,
    });
  });
});

describe('advancesOrder', () => {
  it('is true for rows that are news whatever else arrived: a terminal state, or more filled than the store held', () => {
    const known = snapshot(row('1', 'OPEN', 3, 10, 100, '2026-11-25 09:15:00'));
    expect(advancesOrder(row('1', 'COMPLETE', 10, 10, 100.5, '2026-11-25 09:15:00'), known)).toBe(true);
    expect(advancesOrder(row('1', 'CANCELLED', 3, 10, 100, '2026-11-25 09:15:00'), known)).toBe(true);
    expect(advancesOrder(row('1', 'OPEN', 5, 10, 100.2, '2026-11-25 09:15:00'), known)).toBe(true);
    expect(advancesOrder(row('9', 'OPEN', 0, 10, 0, '2026-11-25 09:15:00'), undefined)).toBe(false);
  });
  it('is false for a modification or a status word at the same fill: only timestamps could order those', () => {
    const known = snapshot(row('1', 'OPEN', 3, 10, 100, '2026-11-25 09:15:00'));
    expect(advancesOrder(row('1', 'OPEN', 3, 10, 100, '2026-11-25 09:15:00', { price: 401 }), known)).toBe(false);
    expect(advancesOrder(row('1', 'UPDATE', 3, 10, 100, '2026-11-25 09:15:00'), known)).toBe(false);
    expect(advancesOrder(row('1', 'OPEN', 2, 10, 100, '2026-11-25 09:15:00'), known)).toBe(false);
  });
});
