import { KiteSimulator } from '../../src/simulator';
import { eventually } from '../helpers/eventually';
import { kiteFor, Kite, place, rejectionOf, sbinBuy } from './kite-client';

/**
 * What the exactly-once rules are tested against: an OMS that shows a new order only after a while, an order book
 * that cannot be read, and the unclear answers kiteconnect turns into NetworkException or a resolved DataException.
 */
describe('KiteSimulator: OMS visibility lag and unclear answers', () => {
  let sim: KiteSimulator;
  let kite: Kite;

  beforeEach(async () => {
    sim = await new KiteSimulator({ startPrices: { SBIN: 470 } }).start();
    kite = kiteFor(sim);
  });
  afterEach(() => sim.stop());

  const tagged = async (tag: string) => (await kite.getOrders()).filter((order) => order.tag === tag);

  it('a new order is missing from the book and its history until the lag has passed, then shows', async () => {
    sim.setOrderVisibilityLag(60_000);
    const { order_id } = await place(kite, sbinBuy({ tag: 'lagged1' }));
    expect(sim.getOrder(order_id)).toBeDefined(); // it exists
    expect(await tagged('lagged1')).toHaveLength(0); // the API does not show it yet
    expect(await rejectionOf(kite.getOrderHistory(order_id))).toMatchObject({ error_type: 'OrderException' });

    sim.setOrderVisibilityLag(0);
    expect((await tagged('lagged1')).map((o) => o.order_id)).toEqual([order_id]);
    expect((await kite.getOrderHistory(order_id)).at(-1)).toMatchObject({ order_id, status: 'OPEN' });
  });

  it("the lag is counted from each order's placement, by the simulator's clock (set over /_sim/visibility_lag)", async () => {
    let now = Date.parse('2026-11-25T04:00:00Z');
    const clocked = await new KiteSimulator({ startPrices: { SBIN: 470 }, now: () => new Date(now) }).start();
    try {
      const k = kiteFor(clocked);
      const first = await place(k, sbinBuy({ tag: 'early' }));
      await fetch(`${clocked.url}/_sim/visibility_lag`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ms":1000}' });
      now += 1500;
      const second = await place(k, sbinBuy({ tag: 'late' }));
      expect((await k.getOrders()).map((o) => o.order_id)).toEqual([first.order_id]);
      now += 999;
      expect((await k.getOrders()).map((o) => o.order_id)).toEqual([first.order_id]);
      now += 1;
      expect((await k.getOrders()).map((o) => o.order_id)).toEqual([first.order_id, second.order_id]);
    } finally {
      await clocked.stop();
    }
  });

  it('GET /orders can be made to fail N times with a NetworkException', async () => {
    sim.failNextOrderBookReads(1);
    expect(await rejectionOf(kite.getOrders())).toMatchObject({ error_type: 'NetworkException' });
    await expect(kite.getOrders()).resolves.toEqual([]);
  });

  it.each([
    ['a 400 "Order request timed out" without error_type', { kind: 'error', status: 400 }, { error_type: 'NetworkException', message: 'Bad Request' }],
    ['a 502 with no body', { kind: 'empty' }, { error_type: 'NetworkException', message: 'Bad Gateway' }],
  ] as const)('%s, after creating the order: kiteconnect rejects with a NetworkException', async (_, fault, expected) => {
    sim.setPlacementFault({ ...fault, count: 1, createOrder: true });
    expect(await rejectionOf(place(kite, sbinBuy({ tag: 'unclear1' })))).toMatchObject(expected);
    expect(await tagged('unclear1')).toHaveLength(1);
  });

  it('a 200 that is not JSON: kiteconnect resolves it as a DataException (no order id), the order exists', async () => {
    sim.setPlacementFault({ kind: 'garbage', count: 1, createOrder: true });
    const answer = (await place(kite, sbinBuy({ tag: 'html1' }))) as unknown;
    expect(answer).toMatchObject({ error_type: 'DataException' });
    expect(await tagged('html1')).toHaveLength(1);
  });

  it('a 429 never creates the order, even when asked to', async () => {
    sim.failNextPlacements(1, { status: 429, createOrder: true });
    expect(await rejectionOf(place(kite, sbinBuy({ tag: 'busy1' })))).toMatchObject({ error_type: 'NetworkException', message: 'Too many requests' });
    expect(sim.getOrders()).toHaveLength(0);
  });

  it('a held placement is answered (504) when released, without waiting for its hold', async () => {
    sim.timeoutNextPlacements(1, { holdMs: 60_000, createOrder: false });
    const pending = rejectionOf(place(kite, sbinBuy({ tag: 'held1' })));
    await eventually(() => sim.requests.some((r) => r.method === 'POST'), 'the placement to arrive');
    expect(sim.releaseHeldPlacements()).toBe(1);
    expect(await pending).toMatchObject({ error_type: 'NetworkException', message: 'Gateway timed out.' });
  });

  it('RMS can reject just the next N orders (accepted with an order id, then REJECTED), whatever their symbol', async () => {
    sim.rejectNextPlacements(1, 'Insufficient funds');
    const first = await place(kite, sbinBuy({ tag: 'rms1' }));
    const second = await place(kite, sbinBuy({ tag: 'rms2' }));
    expect(sim.getOrder(first.order_id)).toMatchObject({ status: 'REJECTED', status_message: 'Insufficient funds' });
    expect(sim.getOrder(second.order_id)!.status).toBe('OPEN');
  });
});
