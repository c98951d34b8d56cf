import { toOrderUpdate } from '../orders/order-update';
import { dedupKeyOf } from './dedup-key';

const payload = (orderId: string, status: string, filled: number) => ({
  order_id: orderId,
  status,
  quantity: 10,
  filled_quantity: filled,
  pending_quantity: 10 - filled,
  cancelled_quantity: 0,
  price: 470,
  trigger_price: 0,
  average_price: filled > 0 ? 470 : 0,
  order_timestamp: '2026-12-03 09:15:00',
  exchange_update_timestamp: '2026-12-03 09:15:01',
});

describe('dedupKeyOf', () => {
  it('gives the same update the same key whatever else its message carries, and another state another key', () => {
    const postback = { ...payload('2612030000000000001', 'OPEN', 0), checksum: 'x', user_id: 'AB1234', app_id: 1 };
    const bookRow = { ...payload('2612030000000000001', 'OPEN', 0), tags: ['t'], guid: 'g' };
    expect(dedupKeyOf(toOrderUpdate(postback))).toBe(dedupKeyOf(toOrderUpdate(bookRow)));
    expect(dedupKeyOf(toOrderUpdate(payload('2612030000000000001', 'COMPLETE', 10)))).not.toBe(dedupKeyOf(toOrderUpdate(postback)));
  });

  it("starts with the order id, so one order's keys sit together in the unique index and later orders' keys after them", () => {
    const first = ['OPEN', 'COMPLETE'].map((status, i) => dedupKeyOf(toOrderUpdate(payload('2612030000000000001', status, i * 10))));
    const second = ['OPEN', 'COMPLETE'].map((status, i) => dedupKeyOf(toOrderUpdate(payload('2612030000000000002', status, i * 10))));
    for (const key of first) expect(key).toMatch(/^2612030000000000001:[0-9a-f]{64}$/);
    expect([...second, ...first].sort()).toEqual([...first.sort(), ...second.sort()]);
  });
});
