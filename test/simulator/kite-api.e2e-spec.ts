import sampleOrders from '../fixtures/kite-orders.json';
import { KiteSimulator } from '../../src/simulator';
import { kiteFor, Kite, place, rejectionOf, sbinBuy, TRADE_KEYS } from './kite-client';

/** The real kiteconnect client against the simulator over loopback. */
describe('KiteSimulator with the official kiteconnect client', () => {
  let sim: KiteSimulator;
  let kite: Kite;

  beforeEach(async () => {
    sim = await new KiteSimulator({ apiKey: 'key1', apiSecret: 'secret1', accessToken: 'tok1', seed: 7, startPrices: { SBIN: 470 } }).start();
    kite = kiteFor(sim);
  });
  afterEach(() => sim.stop());

  it('places an order and lists it with every orders.json field, a 19-digit string id and IST timestamps', async () => {
    const { order_id } = await place(kite, sbinBuy({ tag: 'leg1', market_protection: -1 }));
    expect(order_id).toMatch(/^\d{19}$/);

    const orders = await kite.getOrders();
    expect(orders).toHaveLength(1);
    const row = orders[0] as unknown as Record<string, unknown>;
    const standardKeys = Object.keys(sampleOrders.data[0]);
    const allKeys = new Set(sampleOrders.data.flatMap((sample) => Object.keys(sample)));
    expect(Object.keys(row)).toEqual(expect.arrayContaining(standardKeys));
    expect(Object.keys(row).filter((key) => !allKeys.has(key))).toEqual([]);
    expect(row).toMatchObject({ order_id, status: 'OPEN', tag: 'leg1', tags: ['leg1'], market_protection: -1, pending_quantity: 10 });
    // kiteconnect turns 19-character timestamps into Dates (in the local TZ); exchange_update_timestamp stays a string.
    expect(row.order_timestamp).toBeInstanceOf(Date);
    expect(row.exchange_update_timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    const raw = await fetch(`${sim.url}/orders`, { headers: { 'X-Kite-Version': '3', Authorization: 'token key1:tok1' } });
    expect(raw.headers.get('content-type')).toBe('application/json');
    const body = (await raw.json()) as { status: string; data: Array<{ order_timestamp: string }> };
    expect(body.status).toBe('success');
    expect(body.data[0].order_timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('fills a LIMIT order when the price crosses it, with trades for the order', async () => {
    const { order_id } = await place(kite, sbinBuy({ price: 469 }));
    sim.setPrice('SBIN', 469.5);
    expect((await kite.getOrders())[0].status).toBe('OPEN');
    sim.setPrice('SBIN', 468.95);

    const [order] = await kite.getOrders();
    expect(order).toMatchObject({ status: 'COMPLETE', average_price: 469, filled_quantity: 10, pending_quantity: 0 });
    const trades = await kite.getOrderTrades(order_id);
    expect(trades).toHaveLength(1);
    expect(Object.keys(trades[0]).sort()).toEqual([...TRADE_KEYS].sort());
    expect(trades[0]).toMatchObject({ order_id, quantity: 10, average_price: 469, transaction_type: 'BUY' });
    expect(await kite.getTrades()).toHaveLength(1);
  });

  it('modifies and cancels, keeps the full history, and refuses to touch a terminal order', async () => {
    const { order_id } = await place(kite, sbinBuy({ price: 468 }));
    await expect(kite.modifyOrder('regular', order_id, { price: 468.5, quantity: 12 })).resolves.toEqual({ order_id });
    await expect(kite.cancelOrder('regular', order_id)).resolves.toEqual({ order_id });

    const history = await kite.getOrderHistory(order_id);
    expect(history.map((row) => row.status)).toEqual([
      'PUT ORDER REQ RECEIVED',
      'VALIDATION PENDING',
      'OPEN PENDING',
      'OPEN',
      'MODIFY VALIDATION PENDING',
      'MODIFY PENDING',
      'MODIFIED',
      'OPEN',
      'CANCEL PENDING',
      'CANCELLED',
    ]);
    expect(history.at(-1)).toMatchObject({ price: 468.5, quantity: 12, cancelled_quantity: 12 });

    const error = await rejectionOf(kite.cancelOrder('regular', order_id));
    expect(error).not.toBeInstanceOf(Error);
    expect(error).toEqual({ status: 'error', error_type: 'OrderException', message: 'Order cannot be cancelled as it is already cancelled.', data: null });
    expect(await rejectionOf(kite.modifyOrder('regular', order_id, { price: 470 }))).toMatchObject({ error_type: 'OrderException' });
  });

  it('fills in partial slices (partialFillSteps) and on forced fills', async () => {
    await sim.stop();
    sim = await new KiteSimulator({ apiKey: 'key1', accessToken: 'tok1', startPrices: { SBIN: 470 }, partialFillSteps: 2 }).start();
    kite = kiteFor(sim);

    const market = await place(kite, sbinBuy({ order_type: 'MARKET', price: undefined }));
    expect((await kite.getOrderHistory(market.order_id)).at(-1)).toMatchObject({ status: 'OPEN', filled_quantity: 5, pending_quantity: 5 });
    sim.setPrice('SBIN', 471);
    expect((await kite.getOrderHistory(market.order_id)).at(-1)).toMatchObject({ status: 'COMPLETE', average_price: 470.5 });
    expect(await kite.getOrderTrades(market.order_id)).toHaveLength(2);

    const limit = await place(kite, sbinBuy({ price: 460 }));
    sim.fillOrder(limit.order_id, 3, 459.5);
    expect(sim.getOrder(limit.order_id)).toMatchObject({ status: 'OPEN', filled_quantity: 3, pending_quantity: 7, average_price: 459.5 });
  });

  it('accepts, then rejects, an order above maxQuantity or in a blocked symbol', async () => {
    const { order_id } = await place(kite, sbinBuy({ quantity: 20_000 }));
    const last = (await kite.getOrderHistory(order_id)).at(-1)!;
    expect(last).toMatchObject({ status: 'REJECTED', exchange_order_id: null });
    expect(last.status_message).toMatch(/20000/);

    sim.setSymbolRejection('YESBANK', 'Scrip blocked for the test');
    const blocked = await place(kite, sbinBuy({ tradingsymbol: 'YESBANK', price: 20 }));
    expect(sim.getOrder(blocked.order_id)).toMatchObject({ status: 'REJECTED', status_message: 'Scrip blocked for the test' });
  });

  it('answers bad input with InputException and an unknown order with 404', async () => {
    const missing = await rejectionOf(place(kite, sbinBuy({ tradingsymbol: undefined as unknown as string })));
    expect(missing).toMatchObject({ status: 'error', error_type: 'InputException', message: 'Missing `tradingsymbol`.' });
    expect(await rejectionOf(place(kite, sbinBuy({ price: undefined })))).toMatchObject({ error_type: 'InputException' });
    expect(await rejectionOf(place(kite, sbinBuy({ tag: 'this-tag-is-too-long-x' })))).toMatchObject({ error_type: 'InputException' });
    expect(await rejectionOf(place(kite, sbinBuy({ order_type: 'SL', trigger_price: undefined })))).toMatchObject({ error_type: 'InputException' });
    expect(await rejectionOf(kite.getOrderHistory('1234567890123456789'))).toMatchObject({ error_type: 'OrderException' });
    const raw = await fetch(`${sim.url}/orders/1234567890123456789`, { headers: { 'X-Kite-Version': '3', Authorization: 'token key1:tok1' } });
    expect(raw.status).toBe(404);
    expect(sim.getOrders()).toEqual([]);
  });

  it('refuses a wrong access token with a TokenException object and calls the session expiry hook', async () => {
    const stranger = kiteFor(sim, { access_token: 'wrong' });
    const expired = jest.fn();
    stranger.setSessionExpiryHook(expired);
    const error = await rejectionOf(stranger.getOrders());
    expect(error).not.toBeInstanceOf(Error);
    expect(error).toMatchObject({ status: 'error', error_type: 'TokenException', data: null });
    expect(expired).toHaveBeenCalled();

    sim.revokeAccessTokens();
    expect(await rejectionOf(kite.getProfile())).toMatchObject({ error_type: 'TokenException' });
  });

  it('requires X-Kite-Version: 3', async () => {
    const response = await fetch(`${sim.url}/orders`, { headers: { Authorization: 'token key1:tok1' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ status: 'error', error_type: 'InputException' });
  });

  it('runs the login flow: redirect with a request_token, generateSession, then authenticated calls', async () => {
    const response = await fetch(sim.loginUrl('http://127.0.0.1:1/callback?x=1'), { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(location.pathname).toBe('/callback');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({ x: '1', action: 'login', status: 'success' });
    const requestToken = location.searchParams.get('request_token')!;

    const client = kiteFor(sim, { access_token: undefined });
    const session = await client.generateSession(requestToken, 'secret1');
    expect(session).toMatchObject({ user_id: 'AB1234', api_key: 'key1', access_token: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(session.login_time).toBeInstanceOf(Date);
    await expect(client.getProfile()).resolves.toMatchObject({ user_id: 'AB1234', broker: 'ZERODHA' });

    // A request token works once; a wrong secret gives a bad checksum.
    expect(await rejectionOf(client.generateSession(requestToken, 'secret1'))).toMatchObject({ error_type: 'TokenException' });
    const another = sim.issueRequestToken();
    expect(await rejectionOf(client.generateSession(another, 'not-the-secret'))).toMatchObject({
      error_type: 'TokenException',
      message: 'Invalid `checksum`.',
    });
  });

  it('records exactly which requests arrived, with parsed bodies', async () => {
    const before = new Date();
    const { order_id } = await place(kite, sbinBuy({ tag: 'probe' }));
    await kite.cancelOrder('regular', order_id);

    expect(sim.requests.map(({ method, path }) => `${method} ${path}`)).toEqual(['POST /orders/regular', `DELETE /orders/regular/${order_id}`]);
    expect(sim.requests[0].body).toMatchObject({ tradingsymbol: 'SBIN', quantity: '10', tag: 'probe', variety: 'regular' });
    expect(sim.requests[1].query).toEqual({ variety: 'regular', order_id });
    expect(sim.requests[0].receivedAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(sim.requests[1].receivedAt.getTime()).toBeGreaterThanOrEqual(sim.requests[0].receivedAt.getTime());
  });

  it('hands a waiter the next matching request as it arrives, times out, and fails waiters when it stops', async () => {
    const cancel = sim.nextRequest((r) => r.method === 'DELETE', 5_000);
    const { order_id } = await place(kite, sbinBuy({ tag: 'waited' }));
    await kite.cancelOrder('regular', order_id);
    // The placement before it did not match; the cancellation did, and it is the one recorded in `requests`.
    await expect(cancel).resolves.toBe(sim.requests[1]);
    expect((await cancel).path).toBe(`/orders/regular/${order_id}`);

    await expect(sim.nextRequest((r) => r.method === 'PUT', 50)).rejects.toThrow('no matching request reached the simulator within 50 ms');
    const pending = sim.nextRequest(() => true, 5_000);
    await sim.stop();
    await expect(pending).rejects.toThrow('the simulator stopped before a matching request arrived');
  });

  it('walks prices on tick(), and on a timer with autoTickMs', async () => {
    const start = sim.getPrice('SBIN');
    sim.tick(20);
    expect(sim.getPrice('SBIN')).not.toBe(start);

    await sim.stop();
    sim = await new KiteSimulator({ autoTickMs: 5, startPrices: { SBIN: 470 } }).start();
    sim.getPrice('SBIN');
    const prices = new Set<number>();
    for (let i = 0; i < 200 && prices.size < 3; i++) {
      prices.add(sim.getPrice('SBIN'));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(prices.size).toBeGreaterThanOrEqual(3);
  });
});
