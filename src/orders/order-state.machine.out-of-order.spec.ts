import { feed, orderUpdate } from '../../test/helpers/order-updates';

/**
 * Updates of one order arrive by postback, WebSocket and order-book reads, late, twice or out of order, and Kite's
 * timestamps have one-second resolution. Whatever the arrival order, the stored order never goes back.
 */
describe('order state machine: updates out of order', () => {
  it('a partial fill that arrives after a bigger one of the same second is stale: it rolls back neither the fills nor the modified price', () => {
    // Modified to 101 and filled to 7 within 09:15:02; the update of the first 3 (still at 100) arrives last.
    const { state, events, transitions } = feed(
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00'),
      orderUpdate('UPDATE', 7, 101, '2026-11-25 09:15:02', { price: 101 }),
      orderUpdate('UPDATE', 3, 100, '2026-11-25 09:15:02', { price: 100 }),
    );
    expect(transitions[2]).toEqual({ kind: 'ignored', reason: 'stale: filled 3 < known 7' });
    expect(events).toEqual(['order.opened', 'order.filled']);
    expect(state).toMatchObject({ price: 101, filledQuantity: 7, pendingQuantity: 3, averagePrice: 101 });
  });

  it('an older update carrying a new fill adds the fill at its own time, and keeps the newer clock and modification', () => {
    // Modified to 105 at 09:15:05; the update of the first 3 filled at 09:15:02 (price still 100) arrives after it,
    // then a modification to 103 stamped 09:15:04, older than what the order already shows.
    const { state, events, transitions } = feed(
      orderUpdate('UPDATE', 0, 0, '2026-11-25 09:15:05', { price: 105 }),
      orderUpdate('UPDATE', 3, 100, '2026-11-25 09:15:02', { price: 100 }),
      orderUpdate('UPDATE', 3, 100, '2026-11-25 09:15:04', { price: 103 }),
    );
    expect(transitions[1]).toMatchObject({ kind: 'applied', fill: { quantity: 3, price: 100, cumulativeQuantity: 3 }, fillTime: '2026-11-25 09:15:02' });
    expect(transitions[2]).toEqual({ kind: 'ignored', reason: 'stale: 2026-11-25 09:15:04 is older than 2026-11-25 09:15:05' });
    expect(events).toEqual(['order.opened', 'order.filled']);
    expect(state).toMatchObject({ price: 105, filledQuantity: 3, pendingQuantity: 7, averagePrice: 100, exchangeUpdateTimestamp: '2026-11-25 09:15:05' });
  });

  it('an update after the order ended is ignored, and the reason says what was dropped (it is logged)', () => {
    const { state, transitions } = feed(orderUpdate('COMPLETE', 10, 100, '2026-11-25 09:15:05'), orderUpdate('UPDATE', 7, 99, '2026-11-25 09:15:03'));
    expect(transitions[1]).toEqual({ kind: 'ignored', reason: 'already COMPLETE; UPDATE (filled 7) ignored' });
    expect(state).toMatchObject({ status: 'COMPLETE', filledQuantity: 10, averagePrice: 100 });
  });

  it('an older update without a fill is ignored, naming both times', () => {
    const { transitions } = feed(
      orderUpdate('UPDATE', 0, 0, '2026-11-25 09:15:05', { price: 105 }),
      orderUpdate('OPEN', 0, 0, '2026-11-25 09:15:00', { price: 100 }),
    );
    expect(transitions[1]).toEqual({ kind: 'ignored', reason: 'stale: 2026-11-25 09:15:00 is older than 2026-11-25 09:15:05' });
  });

  it('without exchange_update_timestamp, exchange_timestamp orders the updates (and is kept as the update time)', () => {
    const noUpdateTime = (status: string, time: string, price: number) =>
      orderUpdate(status, 0, 0, '', { exchangeUpdateTimestamp: null, exchangeTimestamp: time, price });
    const { state, transitions } = feed(noUpdateTime('OPEN', '2026-11-25 09:15:04', 104), noUpdateTime('OPEN', '2026-11-25 09:15:01', 101));
    expect(transitions[1]).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/09:15:01 is older than 2026-11-25 09:15:04/) });
    expect(state).toMatchObject({ price: 104, exchangeUpdateTimestamp: '2026-11-25 09:15:04' });
  });

  it('an order first known without any timestamp takes the next timed modification (there is nothing to call it stale against)', () => {
    const untimed = { orderTimestamp: null, exchangeUpdateTimestamp: null, exchangeTimestamp: null };
    const { state, transitions } = feed(orderUpdate('OPEN', 0, 0, '', untimed), orderUpdate('UPDATE', 0, 0, '2026-11-25 09:16:00', { price: 99 }));
    expect(transitions[1]).toMatchObject({ kind: 'applied', events: [{ name: 'order.updated', changes: ['price'] }] });
    expect(state).toMatchObject({ price: 99, exchangeUpdateTimestamp: '2026-11-25 09:16:00' });
  });
});
