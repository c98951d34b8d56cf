import { feed, orderUpdate } from '../../test/helpers/order-updates';
import { OrderEventName } from '../events/order-event-names';
import { fillDelta } from './order-state.machine';

describe('fillDelta', () => {
  it('prices a delta as (p1·q1 − p0·q0) / (q1 − q0)', () => {
    expect(fillDelta(0, 0, 3, 100)).toEqual({ quantity: 3, price: 100, cumulativeQuantity: 3 });
    expect(fillDelta(3, 100, 7, 101)).toEqual({ quantity: 4, price: 101.75, cumulativeQuantity: 7 });
    expect(fillDelta(7, 101, 10, 101.3)).toEqual({ quantity: 3, price: 102, cumulativeQuantity: 10 });
  });
  it('removes binary floating-point noise', () => {
    expect(fillDelta(1, 0.1, 3, 0.2).price).toBe(0.25);
  });
  it('leaves a fill unpriced (null), never at 0 or a made-up price, when the averages cannot price it', () => {
    expect(fillDelta(5, 100, 6, 0)).toEqual({ quantity: 1, price: null, cumulativeQuantity: 6 }); // average not reported
    expect(fillDelta(0, 0, 6, 0)).toEqual({ quantity: 6, price: null, cumulativeQuantity: 6 });
    expect(fillDelta(5, 100, 6, 50).price).toBeNull(); // inconsistent: the delta would cost −200
    expect(fillDelta(5, 100, 10, 50).price).toBeNull(); // inconsistent: the 5 more would cost exactly 0, which is no price
    expect(fillDelta(5, 0, 6, 101).price).toBeNull(); // the average at 5 is unknown, so the delta's value is too
  });
});

describe('order state machine', () => {
  it('opens, fills partially twice and completes', () => {
    const { state, events } = feed(
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00'),
      orderUpdate('UPDATE', 3, 100, '2026-11-25 09:15:01'),
      orderUpdate('UPDATE', 7, 101, '2026-11-25 09:15:02'),
      orderUpdate('COMPLETE', 10, 101.3, '2026-11-25 09:15:03'),
    );
    expect(events).toEqual(['order.opened', 'order.filled', 'order.filled', 'order.filled', 'order.completed']);
    expect(state).toMatchObject({ status: 'COMPLETE', filledQuantity: 10, averagePrice: 101.3 });
  });

  it('treats UPDATE as an OPEN order in the book', () => {
    const { state } = feed(orderUpdate('UPDATE', 3, 100, '2026-11-25 09:15:01'));
    expect(state?.status).toBe('OPEN');
  });

  it('a first sight that is already COMPLETE yields the whole fill, then completed (no opened)', () => {
    const { events, transitions } = feed(orderUpdate('COMPLETE', 10, 99.5, '2026-11-25 09:15:01'));
    expect(events).toEqual(['order.filled', 'order.completed']);
    const t = transitions[0];
    expect(t.kind === 'applied' && t.fill).toEqual({ quantity: 10, price: 99.5, cumulativeQuantity: 10 });
  });

  it('never leaves a terminal state', () => {
    const { state, transitions } = feed(
      orderUpdate('COMPLETE', 10, 100, '2026-11-25 09:15:05'),
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00'),
      orderUpdate('UPDATE', 3, 100, '2026-11-25 09:15:01'),
      orderUpdate('CANCELLED', 10, 100, '2026-11-25 09:15:09'),
    );
    expect(state?.status).toBe('COMPLETE');
    expect(transitions.slice(1).every((t) => t.kind === 'ignored')).toBe(true);
  });

  it('never lowers filled_quantity: a late partial fill is ignored', () => {
    const { state, events } = feed(orderUpdate('UPDATE', 7, 101, '2026-11-25 09:15:02'), orderUpdate('UPDATE', 3, 100, '2026-11-25 09:15:01'));
    expect(state?.filledQuantity).toBe(7);
    expect(events.filter((e) => e === OrderEventName.Filled)).toHaveLength(1);
  });

  it('an out-of-order fill that skipped ahead is priced from the average seen', () => {
    // 7 arrives before 3 (lost or late): one delta of 7, and the late 3 changes nothing.
    const { transitions } = feed(orderUpdate('UPDATE', 7, 101, '2026-11-25 09:15:02'), orderUpdate('UPDATE', 3, 100, '2026-11-25 09:15:01'));
    expect(transitions[0].kind === 'applied' && transitions[0].fill).toEqual({ quantity: 7, price: 101, cumulativeQuantity: 7 });
    expect(transitions[1]).toMatchObject({ kind: 'ignored' });
  });

  it('an older non-fill update does not overwrite newer state (timestamps)', () => {
    const { state, transitions } = feed(
      orderUpdate('UPDATE', 0, 0, '2026-11-25 09:15:05', { price: 105 }),
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00', { price: 100 }),
    );
    expect(state?.price).toBe(105);
    expect(transitions[1]).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/older/) });
  });

  it('a modify (price change, no fill) is order.updated with the changed fields', () => {
    const { events, transitions } = feed(orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00'), orderUpdate('UPDATE', 0, 0, '2026-11-25 09:15:04', { price: 98.5 }));
    expect(events).toEqual(['order.opened', 'order.updated']);
    const t = transitions[1];
    expect(t.kind === 'applied' && t.events[0].changes).toEqual(['price']);
  });

  it('the same state again is ignored (no event)', () => {
    const { events, transitions } = feed(orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00'), orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00'));
    expect(events).toEqual(['order.opened']);
    expect(transitions[1]).toMatchObject({ kind: 'ignored', reason: 'no change in order state' });
  });

  it('a cancellation after a partial fill keeps the fill and reports the cancel', () => {
    const { state, events } = feed(
      orderUpdate('UPDATE', 4, 100, '2026-11-25 09:15:01'),
      orderUpdate('CANCELLED', 4, 100, '2026-11-25 09:15:09', { cancelledQuantity: 6 }),
    );
    expect(events).toEqual(['order.opened', 'order.filled', 'order.cancelled']);
    expect(state).toMatchObject({ status: 'CANCELLED', filledQuantity: 4, cancelledQuantity: 6 });
  });

  it('a terminal update reporting fewer fills than known takes the status but keeps the fills', () => {
    const { state, transitions } = feed(orderUpdate('UPDATE', 4, 100, '2026-11-25 09:15:01'), orderUpdate('CANCELLED', 2, 100, '2026-11-25 09:15:09'));
    expect(state).toMatchObject({ status: 'CANCELLED', filledQuantity: 4 });
    expect(transitions[1]).toMatchObject({ kind: 'applied', note: expect.stringMatching(/kept 4/) });
  });

  it('a rejection carries its reason', () => {
    const { transitions } = feed(orderUpdate('REJECTED', 0, 0, '2026-11-25 09:15:01', { statusMessage: 'RMS:Margin Exceeds' }));
    expect(transitions[0].kind === 'applied' && transitions[0].events).toEqual([{ name: OrderEventName.Rejected, reason: 'RMS:Margin Exceeds' }]);
  });

  it("accepts Kite's CANCEL spelling as CANCELLED", () => {
    expect(feed(orderUpdate('CANCEL', 0, 0, '2026-11-25 09:15:01')).state?.status).toBe('CANCELLED');
  });

  it('treats unknown and interim statuses as non-terminal', () => {
    const { state } = feed(
      orderUpdate('PUT ORDER REQ RECEIVED', 0, 0, '2026-11-25 09:15:00'),
      orderUpdate('TRIGGER PENDING', 0, 0, '2026-11-25 09:15:01'),
      orderUpdate('SOME NEW STATUS', 0, 0, '2026-11-25 09:15:02'),
      orderUpdate('COMPLETE', 10, 100, '2026-11-25 09:15:03'),
    );
    expect(state?.status).toBe('COMPLETE');
  });

  it('an update with an older timestamp that carries a new fill is applied (the fill is news, whatever the clock says)', () => {
    const { state, events, transitions } = feed(
      orderUpdate('UPDATE', 0, 0, '2026-11-25 09:15:05', { price: 105 }),
      orderUpdate('UPDATE', 3, 100, '2026-11-25 09:15:02'),
    );
    expect(transitions[1]).toMatchObject({ kind: 'applied', fill: { quantity: 3, price: 100, cumulativeQuantity: 3 } });
    expect(events).toEqual(['order.opened', 'order.filled']);
    expect(state?.filledQuantity).toBe(3);
  });

  it('a rise reported with average_price 0 is an unpriced fill, and so is the next rise, until an average is known again', () => {
    const { transitions, state } = feed(
      orderUpdate('UPDATE', 2, 100, '2026-11-25 09:15:01'),
      orderUpdate('UPDATE', 5, 0, '2026-11-25 09:15:02'), // Kite reported the quantity before the average
      orderUpdate('UPDATE', 7, 101, '2026-11-25 09:15:03'), // the value of 2..5 is unknown, so 5..7 cannot be priced either
      orderUpdate('COMPLETE', 10, 101.3, '2026-11-25 09:15:04'),
    );
    const fills = transitions.map((t) => (t.kind === 'applied' ? t.fill : null));
    expect(fills).toEqual([
      { quantity: 2, price: 100, cumulativeQuantity: 2 },
      { quantity: 3, price: null, cumulativeQuantity: 5 },
      { quantity: 2, price: null, cumulativeQuantity: 7 },
      { quantity: 3, price: 102, cumulativeQuantity: 10 },
    ]);
    // the order.filled event carries the same delta, unpriced included
    const second = transitions[1];
    expect(second.kind === 'applied' && second.events).toEqual([{ name: OrderEventName.Filled, fill: { quantity: 3, price: null, cumulativeQuantity: 5 } }]);
    expect(state).toMatchObject({ status: 'COMPLETE', filledQuantity: 10, averagePrice: 101.3 });
  });

  it('a first sight already filled but without an average is an unpriced fill', () => {
    const { transitions } = feed(orderUpdate('COMPLETE', 10, 0, '2026-11-25 09:15:01'));
    expect(transitions[0]).toMatchObject({ kind: 'applied', fill: { quantity: 10, price: null, cumulativeQuantity: 10 } });
  });

  it('a partial update keeps known fields (tag, symbol) it leaves empty', () => {
    const { state } = feed(
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00'),
      orderUpdate('UPDATE', 2, 100, '2026-11-25 09:15:01', { tag: null, tradingsymbol: null }),
    );
    expect(state).toMatchObject({ tag: 'hedge1', tradingsymbol: 'NIFTY25DEC24000CE' });
  });
});
