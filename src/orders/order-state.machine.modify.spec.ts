import { feed, orderUpdate } from '../../test/helpers/order-updates';
import type { Transition } from './order-state.machine';

/**
 * Modifications and status changes without a fill: each is one order.updated naming exactly the fields that changed,
 * so a strategy watching its stop loss sees the trigger move, a quantity cut or a LIMIT turned MARKET.
 */
const changesOf = (t: Transition) => (t.kind === 'applied' ? t.events.map((e) => ({ name: e.name, changes: e.changes })) : t.reason);

describe('order state machine: modifications without a fill', () => {
  const slSell = { orderType: 'SL', triggerPrice: 99, price: 98.5 };

  it("an SL order's trigger (TRIGGER PENDING → OPEN, nothing filled yet) is order.updated with the status", () => {
    const { state, transitions } = feed(
      orderUpdate('TRIGGER PENDING', 0, 0, '2026-11-25 09:15:00', slSell),
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:20:41', slSell),
    );
    expect(changesOf(transitions[1])).toEqual([{ name: 'order.updated', changes: ['status'] }]);
    expect(state).toMatchObject({ status: 'OPEN', triggerPrice: 99, filledQuantity: 0 });
  });

  it('a quantity cut is order.updated with the quantity', () => {
    const { state, transitions } = feed(
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00'),
      orderUpdate('UPDATE', 0, 0, '2026-11-25 09:16:00', { quantity: 6, pendingQuantity: 6 }),
    );
    expect(changesOf(transitions[1])).toEqual([{ name: 'order.updated', changes: ['quantity'] }]);
    expect(state).toMatchObject({ quantity: 6, pendingQuantity: 6 });
  });

  it('a trailed stop (trigger moved, limit price unchanged) is order.updated with the trigger price only', () => {
    const { state, transitions } = feed(
      orderUpdate('TRIGGER PENDING', 0, 0, '2026-11-25 09:15:00', slSell),
      orderUpdate('UPDATE', 0, 0, '2026-11-25 09:30:00', { ...slSell, status: 'TRIGGER PENDING', triggerPrice: 97.5 }),
    );
    expect(changesOf(transitions[1])).toEqual([{ name: 'order.updated', changes: ['triggerPrice'] }]);
    expect(state).toMatchObject({ triggerPrice: 97.5, price: 98.5 });
  });

  it('a LIMIT turned MARKET is order.updated with the order type, and the state says MARKET', () => {
    const { state, transitions } = feed(
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00'),
      orderUpdate('UPDATE', 0, 0, '2026-11-25 09:40:00', { orderType: 'MARKET', price: 0 }),
    );
    expect(changesOf(transitions[1])).toEqual([{ name: 'order.updated', changes: ['price', 'orderType'] }]);
    expect(state).toMatchObject({ orderType: 'MARKET', price: 0 });
  });

  it('lists every changed field, in a fixed order (status, quantity, price, trigger price, order type)', () => {
    const { transitions } = feed(
      orderUpdate('TRIGGER PENDING', 0, 0, '2026-11-25 09:15:00', slSell),
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:41:00', { orderType: 'LIMIT', triggerPrice: 0, price: 97, quantity: 8 }),
    );
    expect(changesOf(transitions[1])).toEqual([{ name: 'order.updated', changes: ['status', 'quantity', 'price', 'triggerPrice', 'orderType'] }]);
  });

  it('an update that changes nothing a strategy trades on (only the clock moved) is ignored', () => {
    const { events, transitions } = feed(orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00'), orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:30'));
    expect(events).toEqual(['order.opened']);
    expect(transitions[1]).toEqual({ kind: 'ignored', reason: 'no change in order state' });
  });

  it('an ordinary modification carries no warning note (notes are for contradictions, logged as warnings)', () => {
    const { transitions } = feed(orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00'), orderUpdate('UPDATE', 0, 0, '2026-11-25 09:16:00', { price: 101 }));
    expect(transitions[1]).toMatchObject({ kind: 'applied' });
    expect(transitions[1].kind === 'applied' && transitions[1].note).toBeUndefined();
  });
});
