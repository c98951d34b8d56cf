import { KiteSimulator } from '../../src/simulator';
import { kiteFor, Kite, place, rejectionOf, sbinBuy } from './kite-client';
import { PostbackReceiver } from './postback-receiver';

/**
 * The "did my order go through?" cases: the placement call fails, and only a lookup by tag tells whether the order
 * exists. Each fault is tried with and without the order being created first.
 */
describe('KiteSimulator placement faults', () => {
  let receiver: PostbackReceiver;
  let sim: KiteSimulator;
  let kite: Kite;

  beforeEach(async () => {
    receiver = await new PostbackReceiver().start();
    sim = await new KiteSimulator({ postbackUrl: receiver.url, startPrices: { SBIN: 470 } }).start();
    kite = kiteFor(sim);
  });
  afterEach(async () => {
    await sim.stop();
    await receiver.stop();
  });

  const ordersTagged = async (tag: string) => (await kite.getOrders()).filter((order) => order.tag === tag);

  it('503 without creating the order: NetworkException, nothing in the book, next placement fine', async () => {
    sim.failNextPlacements(1);
    const error = await rejectionOf(place(kite, sbinBuy({ tag: 'lost1' })));
    expect(error).not.toBeInstanceOf(Error);
    expect(error).toMatchObject({ status: 'error', error_type: 'NetworkException', data: null });
    expect(await ordersTagged('lost1')).toHaveLength(0);

    await expect(place(kite, sbinBuy({ tag: 'ok1' }))).resolves.toHaveProperty('order_id');
    expect(sim.requests.filter((request) => request.method === 'POST')).toHaveLength(2);
  });

  it('502 after creating the order: the error hides an order that exists, fills and posts back', async () => {
    sim.failNextPlacements(1, { status: 502, createOrder: true });
    const error = await rejectionOf(place(kite, sbinBuy({ order_type: 'MARKET', price: undefined, tag: 'ghost1' })));
    expect(error).toMatchObject({ error_type: 'NetworkException' });

    const [ghost] = await ordersTagged('ghost1');
    expect(ghost).toMatchObject({ status: 'COMPLETE', filled_quantity: 10 });
    await sim.flushPostbacks();
    expect(receiver.bodies()).toEqual([expect.objectContaining({ order_id: ghost.order_id, status: 'COMPLETE', tag: 'ghost1' })]);
  });

  it('500 answers GeneralException; the fault covers exactly the next N placements', async () => {
    sim.failNextPlacements(2, { status: 500 });
    expect(await rejectionOf(place(kite, sbinBuy()))).toMatchObject({ error_type: 'GeneralException' });
    expect(await rejectionOf(place(kite, sbinBuy()))).toMatchObject({ error_type: 'GeneralException' });
    await expect(place(kite, sbinBuy())).resolves.toHaveProperty('order_id');
  });

  it.each([
    [true, 1],
    [false, 0],
  ])('timeout (createOrder=%s): the client gives up, the book has %i order(s) with the tag', async (createOrder, expected) => {
    sim.timeoutNextPlacements(1, { holdMs: 30_000, createOrder });
    const impatient = kiteFor(sim, { timeout: 300 });
    const error = await rejectionOf(place(impatient, sbinBuy({ tag: 'slow1' })));
    expect(error).toMatchObject({ error_type: 'NetworkException', message: expect.stringMatching(/No response from server/) });
    expect(await ordersTagged('slow1')).toHaveLength(expected);
    // stop() in afterEach must cut the held request, or Jest would not exit.
  });

  it('can be stopped and started again on the same port with its book intact (an API outage)', async () => {
    const { order_id } = await place(kite, sbinBuy({ tag: 'before' }));
    const url = sim.url;
    await sim.stop();
    expect(await rejectionOf(kite.getOrders())).toMatchObject({ error_type: 'NetworkException' });

    await sim.start();
    expect(sim.url).toBe(url);
    expect((await kite.getOrders()).map((order) => order.order_id)).toEqual([order_id]);
    sim.setPrice('SBIN', 468);
    await sim.flushPostbacks();
    expect(receiver.bodies()).toEqual([expect.objectContaining({ order_id, status: 'COMPLETE' })]);
  });

  it('answers 429 above orderRateLimitPerSecond', async () => {
    await sim.stop();
    sim = await new KiteSimulator({ orderRateLimitPerSecond: 2, startPrices: { SBIN: 470 } }).start();
    kite = kiteFor(sim);
    const results = await Promise.allSettled([1, 2, 3].map(() => place(kite, sbinBuy())));
    const refused = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0].reason).toMatchObject({ error_type: 'NetworkException', message: 'Too many requests' });
  });
});
