import { WebSocket } from 'ws';
import sampleGtt from '../fixtures/kite-gtt-get-order.json';
import sampleGtts from '../fixtures/kite-gtt-get-orders.json';
import samplePlaced from '../fixtures/kite-gtt-place-order.json';
import { KiteSimulator, SimulatorOptions } from '../../src/simulator';
import { eventually, kiteFor, Kite, place, rawApi, rejectionOf, sbinBuy } from './kite-client';
import { PostbackReceiver } from './postback-receiver';
import { shapeDifferences } from './shape';

type GttParams = Parameters<Kite['placeGTT']>[0];

/** INFY opens at 1550 in these tests: a stop-loss below and a target above, both SELL LIMIT. */
const infyOco = (stop = 1400, target = 1700): GttParams => ({
  trigger_type: 'two-leg',
  exchange: 'NSE',
  tradingsymbol: 'INFY',
  trigger_values: [stop, target],
  last_price: 1550,
  orders: [
    { transaction_type: 'SELL', quantity: 5, product: 'CNC', order_type: 'LIMIT', price: stop - 50 },
    { transaction_type: 'SELL', quantity: 5, product: 'CNC', order_type: 'LIMIT', price: target },
  ],
});

/** Order updates as KiteTicker would receive them: text frames {"type":"order","data":{…}}. */
async function orderStream(sim: KiteSimulator): Promise<{ orders: Array<Record<string, unknown>>; close: () => void }> {
  const socket = new WebSocket(`${sim.wsUrl}?api_key=${sim.options.apiKey}&access_token=${sim.options.accessToken}`);
  const orders: Array<Record<string, unknown>> = [];
  socket.on('message', (data, isBinary) => {
    if (!isBinary) orders.push((JSON.parse(Buffer.from(data as Buffer).toString('utf8')) as { data: Record<string, unknown> }).data);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return { orders, close: () => socket.terminate() };
}

describe('GTT triggers in the simulator, through the official kiteconnect client', () => {
  let receiver: PostbackReceiver;
  let sim: KiteSimulator;
  let kite: Kite;

  async function startSim(options: Partial<SimulatorOptions> = {}): Promise<void> {
    await sim?.stop();
    sim = await new KiteSimulator({ seed: 5, startPrices: { INFY: 1550, SBIN: 470 }, postbackUrl: receiver.url, ...options }).start();
    kite = kiteFor(sim);
  }

  beforeEach(async () => {
    receiver = await new PostbackReceiver().start();
    await startSim();
  });
  afterEach(async () => {
    await sim.stop();
    await receiver.stop();
  });

  it('places, lists and fetches GTTs in the shapes of gtt_place_order.json, gtt_get_orders.json and gtt_get_order.json', async () => {
    const placed = await rawApi(sim, 'POST', '/gtt/triggers', {
      type: 'single',
      condition: JSON.stringify({ exchange: 'NSE', tradingsymbol: 'SBIN', trigger_values: [440], last_price: 470 }),
      orders: JSON.stringify([
        { exchange: 'NSE', tradingsymbol: 'SBIN', transaction_type: 'BUY', quantity: 1, order_type: 'LIMIT', product: 'CNC', price: 440.5 },
      ]),
    });
    expect(placed.status).toBe(200);
    expect(shapeDifferences(placed.body, samplePlaced)).toEqual([]);
    const { trigger_id } = await kite.placeGTT(infyOco());
    expect(Number.isInteger(trigger_id)).toBe(true);

    const list = await rawApi(sim, 'GET', '/gtt/triggers');
    expect(shapeDifferences(list.body, sampleGtts)).toEqual([]);
    const triggers = await kite.getGTTs();
    expect(triggers.map((trigger) => [trigger.type, trigger.status])).toEqual([
      ['two-leg', 'active'],
      ['single', 'active'],
    ]);
    expect(triggers[0]).toMatchObject({
      id: trigger_id,
      condition: { exchange: 'NSE', tradingsymbol: 'INFY', trigger_values: [1400, 1700], last_price: 1550, instrument_token: 408065 },
      orders: [
        { price: 1350, result: null },
        { price: 1700, result: null },
      ],
    });
    expect(typeof triggers[0].created_at).toBe('string'); // kiteconnect keeps GTT timestamps as strings

    // Fire the target leg, as in gtt_get_order.json (leg 0 dormant, leg 1 with its result).
    sim.setPrice('INFY', 1701);
    const fetched = await rawApi(sim, 'GET', `/gtt/triggers/${trigger_id}`);
    expect(shapeDifferences(fetched.body, sampleGtt)).toEqual([]);
    const result = (fetched.body as typeof sampleGtt).data.orders[1].result!;
    expect(Object.keys(result)).toEqual(Object.keys(sampleGtt.data.orders[1].result!));
    expect(Object.keys(result.order_result)).toEqual(['status', 'order_id', 'rejection_reason']);
  });

  it('fires on the price walk: the untagged order fills, streams over the WebSocket and posts back when gttPostbacks is on', async () => {
    await startSim({ volatility: 0.01, gttPostbacks: true });
    const stream = await orderStream(sim);
    try {
      // ±1% around 1550: the walk leaves the band one way or the other within a few steps.
      const { trigger_id } = await kite.placeGTT(infyOco(1534.5, 1565.5));
      let steps = 0;
      while ((await kite.getGTT(trigger_id)).status === 'active' && steps < 1000) {
        sim.tick();
        steps++;
      }
      const trigger = await kite.getGTT(trigger_id);
      expect(trigger.status).toBe('triggered');
      const firedIndex = trigger.orders.findIndex((order) => order.result !== null);
      const fired = trigger.orders[firedIndex].result!;
      expect(trigger.orders.filter((order) => order.result !== null)).toHaveLength(1); // the other leg lies dormant
      // The leg that fired is the one on the side the price crossed.
      expect(fired.triggered_at <= 1534.5 ? 0 : 1).toBe(firedIndex);
      expect(JSON.parse(fired.meta)).toEqual({ app_id: sim.options.appId, gtt: trigger_id });
      expect(fired.order_result).toMatchObject({ status: 'success', rejection_reason: '' });

      const orderId = fired.order_result.order_id;
      const [order] = (await kite.getOrders()).filter((row) => row.order_id === orderId);
      expect(order).toMatchObject({ status: 'COMPLETE', transaction_type: 'SELL', quantity: 5, order_type: 'LIMIT', tag: null, tags: [] });
      await sim.flushPostbacks();
      expect(
        receiver
          .bodies()
          .filter((body) => body.order_id === orderId)
          .map((body) => body.status),
      ).toEqual(['COMPLETE']);
      await eventually(() => expect(stream.orders.filter((update) => update.order_id === orderId).map((update) => update.status)).toEqual(['COMPLETE']));
    } finally {
      stream.close();
    }
  });

  it('by default sends no postback for a GTT-fired order (Kite does not say it does), but streams it', async () => {
    const stream = await orderStream(sim);
    try {
      const { trigger_id } = await kite.placeGTT(infyOco());
      sim.setPrice('INFY', 1390);
      const orderId = (await kite.getGTT(trigger_id)).orders[0].result!.order_result.order_id;
      expect((await kite.getOrderHistory(orderId)).at(-1)).toMatchObject({ status: 'COMPLETE', average_price: 1390 });

      const { order_id: regular } = await place(kite, sbinBuy({ order_type: 'MARKET', price: undefined }));
      await sim.flushPostbacks();
      expect(receiver.bodies().map((body) => body.order_id)).toEqual([regular]);
      await eventually(() => expect(stream.orders.map((update) => update.order_id)).toEqual([orderId, regular]));
    } finally {
      stream.close();
    }
  });

  it('links a fired order that RMS then rejects: order_result success, the order REJECTED in the book', async () => {
    const { trigger_id } = await kite.placeGTT(infyOco());
    sim.setSymbolRejection('INFY', 'Insufficient holdings');
    sim.setPrice('INFY', 1720);
    // RMS rejects after accepting: the order exists (order_result success) and is REJECTED in the book.
    const { order_result } = (await kite.getGTT(trigger_id)).orders[1].result!;
    expect(order_result.status).toBe('success');
    expect((await kite.getOrderHistory(order_result.order_id)).at(-1)).toMatchObject({ status: 'REJECTED', status_message: 'Insufficient holdings' });
  });

  it('modifies and deletes through kiteconnect; refuses both once triggered, with an InputException', async () => {
    const { trigger_id } = await kite.placeGTT(infyOco());
    await expect(kite.modifyGTT(trigger_id, infyOco(1450, 1650))).resolves.toEqual({ trigger_id });
    expect((await kite.getGTT(trigger_id)).condition.trigger_values).toEqual([1450, 1650]);
    expect(sim.requests.at(-2)).toMatchObject({ method: 'PUT', path: `/gtt/triggers/${trigger_id}` });

    const other = await kite.placeGTT(infyOco());
    await expect(kite.deleteGTT(other.trigger_id)).resolves.toEqual({ trigger_id: other.trigger_id });
    expect((await kite.getGTT(other.trigger_id)).status).toBe('deleted');
    expect((await kite.getGTTs()).map((trigger) => trigger.status)).toEqual(['deleted', 'active']);

    sim.setPrice('INFY', 1660);
    expect(await rejectionOf(kite.modifyGTT(trigger_id, infyOco()))).toEqual({
      status: 'error',
      error_type: 'InputException',
      message: 'Trigger cannot be modified as it is triggered.',
      data: null,
    });
    expect(await rejectionOf(kite.deleteGTT(trigger_id))).toMatchObject({
      error_type: 'InputException',
      message: 'Trigger cannot be deleted as it is triggered.',
    });
    expect(await rejectionOf(kite.getGTT(999))).toMatchObject({ error_type: 'InputException' });
  });

  it('simulates Kite’s own actions on a GTT (cancelled, rejected), also over /_sim for a standalone simulator', async () => {
    const first = await kite.placeGTT(infyOco());
    const second = await kite.placeGTT(infyOco());
    expect(sim.setGttStatus(first.trigger_id, 'cancelled').status).toBe('cancelled');
    const response = await fetch(`${sim.url}/_sim/gtt/${second.trigger_id}/status`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'rejected' }),
    });
    expect(await response.json()).toMatchObject({ status: 'success', data: { id: second.trigger_id, status: 'rejected' } });
    expect((await kite.getGTTs()).map((trigger) => trigger.status)).toEqual(['rejected', 'cancelled']);
    sim.setPrice('INFY', 1390);
    expect(sim.getOrders()).toEqual([]); // neither fires
    expect(await rejectionOf(kite.deleteGTT(first.trigger_id))).toMatchObject({ message: 'Trigger cannot be deleted as it is cancelled.' });
    expect(() => sim.setGttStatus(first.trigger_id, 'triggered' as never)).toThrow(/status must be one of/);
  });

  it('refuses bad GTTs with Kite’s error envelope: trigger counts, bad JSON, unknown instruments', async () => {
    // kiteconnect itself refuses a wrong trigger count before sending anything.
    expect(() => kite.placeGTT({ ...infyOco(), trigger_values: [1400] })).toThrow('Invalid `trigger_values` for `OCO` order type');
    expect(sim.requests).toEqual([]);

    const condition = JSON.stringify({ exchange: 'NSE', tradingsymbol: 'INFY', trigger_values: [1400], last_price: 1550 });
    const orders = JSON.stringify([
      { exchange: 'NSE', tradingsymbol: 'INFY', transaction_type: 'SELL', quantity: 5, order_type: 'LIMIT', product: 'CNC', price: 1400 },
    ]);
    const refused = await rawApi(sim, 'POST', '/gtt/triggers', { type: 'two-leg', condition, orders });
    expect(refused).toMatchObject({
      status: 400,
      body: {
        status: 'error',
        error_type: 'InputException',
        message: 'Invalid `condition.trigger_values`: a `two-leg` GTT takes 2 trigger values, got 1.',
        data: null,
      },
    });
    expect((await rawApi(sim, 'POST', '/gtt/triggers', { type: 'single', condition: '{not json', orders })).body).toMatchObject({
      error_type: 'InputException',
      message: 'Invalid `condition`: not valid JSON.',
    });
    expect(await rejectionOf(kite.placeGTT({ ...infyOco(), tradingsymbol: 'YESBANK' }))).toMatchObject({
      error_type: 'InputException',
      message: 'Invalid instrument: NSE:YESBANK is not in the instrument list.',
    });
    expect(await kite.getGTTs()).toEqual([]);
  });
});
