import request from 'supertest';
import { KillSwitchService } from '../../src/rails/kill-switch.service';
import { OrderAction } from '../../src/rails/entities/order-action.entity';
import { OrderEventRecord } from '../../src/orders/entities/order-event.entity';
import { orderUpdate } from '../helpers/postbacks';
import { LiveStreamRecorder } from '../helpers/live-stream';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';
import { DAY, seedTradeLog } from './seed';

const TOKEN = 'trade-log-live-token-0123';
const RAILS_TOKEN = 'rails-live-token-456789';

/** The live trade log's API over the seeded trade log: positions, P&L through the day, order rate, engine state, the stream. */
describe('live trade log API', () => {
  const tmp = tempDir('legwork-trades-live-');
  let t: TestApp;
  let base: string;
  const http = () => request(t.app.getHttpServer());
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const recorders: LiveStreamRecorder[] = [];
  const stream = (options: { token?: string; lastEventId?: string } = { token: TOKEN }) => {
    const recorder = new LiveStreamRecorder(base, options);
    recorders.push(recorder);
    return recorder;
  };

  /** A new order of the seeded day, through the real postback route. */
  let nextOrder = 251125000000100;
  async function postOrder(status = 'OPEN'): Promise<string> {
    const orderId = String(nextOrder++);
    const body = orderUpdate(orderId, status, status === 'COMPLETE' ? 1 : 0, 1, status === 'COMPLETE' ? 100 : 0, `${DAY} 15:10:00`, {
      order_timestamp: `${DAY} 15:10:00`,
      tradingsymbol: 'ITC',
      transaction_type: 'BUY',
    });
    const res = await fetch(`${base}/kite/postback`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return orderId;
  }

  beforeAll(async () => {
    await seedTradeLog(tmp.dir);
    t = await createTestApp(testEnv(tmp.dir, { RECONCILE_ON_BOOT: 'false', TRADE_LOG_TOKEN: TOKEN, RAILS_TOKEN }), { listen: true });
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    recorders.forEach((r) => r.close());
    await t?.close();
    tmp.cleanup();
  });

  it("positions: net open quantity and FIFO average per instrument and per strategy, Kite's figure still empty", async () => {
    const res = await http().get(`/api/trade-log/positions?date=${DAY}`).set(auth).expect(200);
    expect(res.body).toEqual({
      date: DAY,
      kiteCheckedAt: null,
      instruments: [
        {
          exchange: 'NSE',
          tradingsymbol: 'INFY',
          netQuantity: 0,
          averagePrice: null,
          boughtQuantity: 10,
          soldQuantity: 10,
          realised: 199,
          kiteNetQuantity: null,
        },
        {
          exchange: 'NFO',
          tradingsymbol: 'NIFTY25NOV23500PE',
          netQuantity: -75,
          averagePrice: 80.25,
          boughtQuantity: 0,
          soldQuantity: 75,
          realised: 0,
          kiteNetQuantity: null,
        },
        {
          exchange: 'NFO',
          tradingsymbol: 'NIFTY25NOV24000CE',
          netQuantity: 25,
          averagePrice: 120.5,
          boughtQuantity: 75,
          soldQuantity: 50,
          realised: 525,
          kiteNetQuantity: null,
        },
        {
          exchange: 'NSE',
          tradingsymbol: 'RELIANCE',
          netQuantity: 0,
          averagePrice: null,
          boughtQuantity: 5,
          soldQuantity: 5,
          realised: -52,
          kiteNetQuantity: null,
        },
        // The manual order outside any chain counts per instrument, as at the broker.
        { exchange: 'NSE', tradingsymbol: 'SBIN', netQuantity: 1, averagePrice: 800, boughtQuantity: 1, soldQuantity: 0, realised: 0, kiteNetQuantity: null },
      ],
      strategies: [
        { strategy: '(outside chains)', exchange: 'NSE', tradingsymbol: 'SBIN', netQuantity: 1, averagePrice: 800 },
        { strategy: 'breakout', exchange: 'NSE', tradingsymbol: 'INFY', netQuantity: 0, averagePrice: null },
        { strategy: 'breakout', exchange: 'NSE', tradingsymbol: 'RELIANCE', netQuantity: 0, averagePrice: null },
        { strategy: 'hedger', exchange: 'NFO', tradingsymbol: 'NIFTY25NOV23500PE', netQuantity: -75, averagePrice: 80.25 },
        { strategy: 'hedger', exchange: 'NFO', tradingsymbol: 'NIFTY25NOV24000CE', netQuantity: 25, averagePrice: 120.5 },
      ],
    });
  });

  it("P&L over the day: each match counts when its closing fill came; the lines end at the table's figures", async () => {
    const res = await http().get(`/api/trade-log/pnl-over-day?date=${DAY}`).set(auth).expect(200);
    expect(res.body).toEqual({
      date: DAY,
      times: [`${DAY} 11:02:10`, `${DAY} 12:30:00`, `${DAY} 14:45:00`],
      strategies: [
        { strategy: 'breakout', realised: [199, 147, 147] },
        { strategy: 'hedger', realised: [0, 0, 525] },
      ],
      total: [199, 147, 672],
    });
    const pnl = await http().get(`/api/trade-log/pnl?date=${DAY}`).set(auth).expect(200);
    expect(pnl.body.total.realised).toBe(672);
  });

  it('order rate: placements and modifications per IST minute from order_actions, with the per-minute limit', async () => {
    const at = (utc: string) => new Date(`${DAY}T${utc}Z`);
    // 09:20 IST is 03:50 UTC.
    await t.dataSource.getRepository(OrderAction).insert([
      { action: 'place', orderId: null, strategy: 'breakout', tradingDay: DAY, at: at('03:50:01') },
      { action: 'place', orderId: null, strategy: 'breakout', tradingDay: DAY, at: at('03:50:30') },
      { action: 'modify', orderId: '251125000000002', strategy: null, tradingDay: DAY, at: at('03:50:59') },
      { action: 'place', orderId: null, strategy: 'hedger', tradingDay: DAY, at: at('03:51:00') },
      { action: 'place', orderId: null, strategy: 'hedger', tradingDay: '2026-11-24', at: new Date('2026-11-24T03:51:00Z') },
    ]);
    const res = await http().get(`/api/trade-log/order-rate?date=${DAY}`).set(auth).expect(200);
    expect(res.body).toEqual({
      date: DAY,
      limitPerMinute: 400,
      minutes: [
        { minute: `${DAY} 09:20`, place: 2, modify: 1 },
        { minute: `${DAY} 09:21`, place: 1, modify: 0 },
      ],
      peak: { minute: `${DAY} 09:20`, count: 3 },
      total: { place: 3, modify: 1 },
    });
    await http().get('/api/trade-log/order-rate?date=25-11-2026').set(auth).expect(400);
  });

  it('day: everything the page draws in one answer (the chains read once), the same as the separate endpoints', async () => {
    const get = async (path: string) => (await http().get(path).set(auth).expect(200)).body;
    const day = await get(`/api/trade-log/day?date=${DAY}`);
    expect(day.date).toBe(DAY);
    expect(day.chains).toEqual((await get(`/api/trade-log/chains?date=${DAY}`)).chains);
    expect(day.pnl).toEqual(await get(`/api/trade-log/pnl?date=${DAY}`));
    expect(day.positions).toEqual(await get(`/api/trade-log/positions?date=${DAY}`));
    expect(day.pnlOverDay).toEqual(await get(`/api/trade-log/pnl-over-day?date=${DAY}`));
    expect(day.orderRate).toEqual(await get(`/api/trade-log/order-rate?date=${DAY}`));
    expect(day.pnl.total.realised).toBe(672);
    await http().get('/api/trade-log/day?date=2026-02-30').set(auth).expect(400);
  });

  it('engine state: mode, kill switch, order usage, inbox backlog, order stream, last reconcile, single instance', async () => {
    const res = await http().get('/api/trade-log/engine').set(auth).expect(200);
    expect(res.body).toMatchObject({
      mode: 'paper',
      killSwitch: { tripped: false },
      orders: { perSecond: { limit: 10 }, perMinute: { limit: 400 }, perDay: { limit: 5000 }, queued: 0 },
      inbox: { backlog: 0, max: 1000 },
      orderStream: { enabled: false, connected: false },
      lastReconcile: null,
      instance: { role: 'single', label: 'single instance' },
    });
  });

  it("keeps the trade log's access rule: the trade-log token reads, the rails token does not, and neither side swaps", async () => {
    await http().get('/api/trade-log/engine').expect(401);
    await http()
      .get('/api/trade-log/engine')
      .set({ Authorization: `Bearer ${RAILS_TOKEN}` })
      .expect(401);
    await http().get(`/api/trade-log/positions?token=${TOKEN}`).expect(401); // ?token= only on the page and the stream
    await http().get('/api/trade-log/stream').expect(401);
    // The read-only token cannot trip the kill switch.
    const trip = await http().post('/rails/kill-switch').set(auth).send({ reason: 'from the trade-log token' }).expect(401);
    expect(trip.body.message).toBe('wrong rails token');
    expect((await t.app.get(KillSwitchService).status()).tripped).toBe(false);
  });

  it('streams: resync first, the state, then the orders a real postback changed, with the order event id as the message id', async () => {
    const live = stream();
    await live.waitFor((r) => r.of('state').length > 0, 'the first state');
    const [first, second] = live.messages;
    expect(first).toMatchObject({ type: 'resync', data: { reason: 'connected', since: null, orderIds: [], truncated: false } });
    expect(second).toMatchObject({ type: 'state', data: { mode: 'paper', instance: { label: 'single instance' } } });

    const orderId = await postOrder();
    const message = await live.waitFor((r) => r.of('orders').find((m) => m.data.orderIds.includes(orderId)), `order ${orderId} reported changed`);
    const events = await t.dataSource.getRepository(OrderEventRecord).findBy({ orderId });
    expect(Number(message.id)).toBeGreaterThanOrEqual(Math.max(...events.map((e) => e.id)));
  });

  it('takes the token as ?token= too (a browser EventSource cannot send headers), and refuses a wrong one', async () => {
    const wrong = stream({ token: 'not-the-token-0000000' });
    await wrong.waitFor((r) => r.of('error').find((e) => e.closed), 'the refusal');
    expect(wrong.of('error')[0]).toMatchObject({ closed: true, status: 401 });

    const res = await fetch(`${base}/api/trade-log/stream?token=${TOKEN}`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: state')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/event: resync\nid: \d+\nretry: 2000\ndata: \{"reason":"connected"/);
    await reader.cancel();
  });

  it('resumes from Last-Event-ID: lists the orders that changed while the client was away', async () => {
    const live = stream();
    await live.waitFor((r) => r.of('state').length > 0, 'the first state');
    const away = live.lastEventId;
    live.close();

    const missed = [await postOrder(), await postOrder('COMPLETE')];
    await t.settle();

    const back = stream({ token: TOKEN, lastEventId: away });
    const resync = await back.waitFor((r) => r.of('resync')[0], 'the resync');
    expect(resync.data).toMatchObject({ reason: 'resumed', since: Number(away), truncated: false });
    expect([...resync.data.orderIds].sort()).toEqual([...missed].sort());
    expect(Number(resync.id)).toBeGreaterThan(Number(away));
  });

  it('reports every order of a burst, with message ids that never go back', async () => {
    const live = stream();
    await live.waitFor((r) => r.of('state').length > 0, 'the first state');
    const burst = await Promise.all(Array.from({ length: 20 }, () => postOrder()));
    await live.waitFor((r) => burst.every((id) => r.changedOrders().has(id)), 'every order of the burst');
    const ids = live.of('orders').map((m) => Number(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b)); // ids never go back
  });
});
