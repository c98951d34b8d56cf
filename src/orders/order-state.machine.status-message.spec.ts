import { feed, orderUpdate } from '../../test/helpers/order-updates';
import { OrderEventName } from '../events/order-event-names';

/**
 * Kite's status_message: the reason a trader reads when an order is rejected, and what Kite said about an open order.
 * Partial updates often leave it out; a message must not be lost that way, nor an old one pinned on a later rejection.
 */
describe('order state machine: status messages', () => {
  const said = { statusMessage: 'message from an earlier update' };

  it('an open order keeps its message when a later update leaves the message out', () => {
    const { state } = feed(
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00', said),
      orderUpdate('UPDATE', 4, 100, '2026-11-25 09:15:01', { statusMessage: null }),
    );
    expect(state).toMatchObject({ filledQuantity: 4, statusMessage: 'message from an earlier update' });
  });

  it("a later update's own message replaces the earlier one", () => {
    const { state } = feed(
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00', said),
      orderUpdate('UPDATE', 4, 100, '2026-11-25 09:15:01', { statusMessage: 'a newer message' }),
    );
    expect(state?.statusMessage).toBe('a newer message');
  });

  it("a rejection is reported with its own reason, or as 'no reason given' — never with a message the order had while open", () => {
    const rejectedWithout = feed(
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00', said),
      orderUpdate('REJECTED', 0, 0, '2026-11-25 09:15:01', { statusMessage: null }),
    );
    expect(rejectedWithout.transitions[1]).toMatchObject({
      kind: 'applied',
      events: [{ name: OrderEventName.Rejected, reason: 'rejected (no reason given)' }],
    });
    expect(rejectedWithout.state).toMatchObject({ status: 'REJECTED', statusMessage: null });

    const rejectedWith = feed(
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00', said),
      orderUpdate('REJECTED', 0, 0, '2026-11-25 09:15:01', { statusMessage: 'RMS:Margin Exceeds' }),
    );
    expect(rejectedWith.transitions[1]).toMatchObject({ events: [{ name: OrderEventName.Rejected, reason: 'RMS:Margin Exceeds' }] });
  });

  it('a completion without a message does not carry an open-order message into the finished order', () => {
    const { state } = feed(
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00', said),
      orderUpdate('COMPLETE', 10, 100, '2026-11-25 09:15:02', { statusMessage: null }),
    );
    expect(state).toMatchObject({ status: 'COMPLETE', statusMessage: null });
  });

  it("a rejected order's reason stays when a later update (an order-book row, a replayed postback) lacks it", () => {
    const { state, transitions } = feed(
      orderUpdate('REJECTED', 0, 0, '2026-11-25 09:15:01', { statusMessage: 'RMS:Margin Exceeds' }),
      orderUpdate('REJECTED', 0, 0, '2026-11-25 09:15:09', { statusMessage: null }),
    );
    expect(transitions[1]).toMatchObject({ kind: 'ignored' });
    expect(state).toMatchObject({ status: 'REJECTED', statusMessage: 'RMS:Margin Exceeds' });
  });
});
