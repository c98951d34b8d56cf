import sampleAutoslice from '../fixtures/kite-autoslice-response.json';
import sampleOrders from '../fixtures/kite-orders.json';
import { KiteSimulator } from '../../src/simulator';
import { kiteFor, Kite, place, PlaceParams, rawApi, rejectionOf } from './kite-client';
import { shapeDifferences } from './shape';

type AutosliceResponse = { order_id: string; children: Array<{ order_id?: string; error?: Record<string, unknown> }> };

describe('lot size, tick size, freeze limits and autoslice for listed instruments', () => {
  let sim: KiteSimulator;
  let kite: Kite;
  /** Today's nearest NIFTY and BANKNIFTY calls at the money (the list follows the simulator's clock). */
  let nifty: string;
  let banknifty: string;

  const option = (tradingsymbol: string, overrides: Partial<PlaceParams> = {}): PlaceParams => ({
    exchange: 'NFO',
    tradingsymbol,
    transaction_type: 'BUY',
    quantity: 65,
    product: 'NRML',
    order_type: 'LIMIT',
    price: 1,
    ...overrides,
  });
  const placeAutoslice = (params: PlaceParams): Promise<AutosliceResponse> =>
    kite.placeOrder('regular', { ...params, autoslice: true }) as unknown as Promise<AutosliceResponse>;

  beforeEach(async () => {
    sim = await new KiteSimulator({ seed: 9 }).start();
    kite = kiteFor(sim);
    const atm = (name: string, strike: number) =>
      sim.getInstruments().find((row) => row.name === name && row.instrument_type === 'CE' && row.strike === strike)!.tradingsymbol;
    nifty = atm('NIFTY', 26000);
    banknifty = atm('BANKNIFTY', 59000);
  });
  afterEach(() => sim.stop());

  it('refuses a quantity off the lot size, a price or trigger off the tick, and a quantity above the freeze limit', async () => {
    expect(await rejectionOf(place(kite, option(nifty, { quantity: 100 })))).toEqual({
      status: 'error',
      error_type: 'InputException',
      message: `Quantity should be a multiple of the lot size of 65 for ${nifty}.`,
      data: null,
    });
    expect(await rejectionOf(place(kite, option(nifty, { price: 1.02 })))).toMatchObject({
      error_type: 'InputException',
      message: 'Tick size for this script is 0.05. Kindly enter price in the multiple of tick size for this script',
    });
    expect(await rejectionOf(place(kite, option(nifty, { order_type: 'SL', price: 1, trigger_price: 0.98 })))).toMatchObject({
      message: expect.stringMatching(/^Tick size for this script is 0\.05/),
    });
    expect(await rejectionOf(place(kite, option(nifty, { quantity: 1820 })))).toMatchObject({
      error_type: 'InputException',
      message: 'The order quantity 1820 (28 lots) is higher than the maximum quantity of 1755 (27 lots) allowed by the exchanges.',
    });
    expect(await rejectionOf(place(kite, option(banknifty, { quantity: 630 })))).toMatchObject({
      message: 'The order quantity 630 (21 lots) is higher than the maximum quantity of 600 (20 lots) allowed by the exchanges.',
    });
    expect(await rejectionOf(place(kite, { ...option(nifty), exchange: 'NSE', tradingsymbol: 'NIFTY 50', product: 'CNC', quantity: 1 }))).toMatchObject({
      message: 'NIFTY 50 is an index and cannot be traded.',
    });
    expect(sim.getOrders()).toEqual([]); // refused with a 400: no order exists

    const { order_id } = await place(kite, option(nifty, { quantity: 1755 }));
    expect(sim.getOrder(order_id)).toMatchObject({ quantity: 1755, status: 'OPEN' });
    expect(await rejectionOf(kite.modifyOrder('regular', order_id, { quantity: 1820 }))).toMatchObject({
      message: expect.stringMatching(/^The order quantity 1820/),
    });
    expect(await rejectionOf(kite.modifyOrder('regular', order_id, { quantity: 100 }))).toMatchObject({
      message: expect.stringMatching(/multiple of the lot size of 65/),
    });
    await expect(kite.modifyOrder('regular', order_id, { quantity: 130, price: 1.05 })).resolves.toEqual({ order_id });
  });

  it('leaves symbols outside the list alone: any quantity, no freeze limit, autoslice ignored', async () => {
    const { order_id } = await kite.placeOrder('regular', { ...option('NIFTY24DEC24000CE', { quantity: 3 }), autoslice: true });
    expect(sim.getOrder(order_id)).toMatchObject({ quantity: 3, tags: [] });
    await expect(place(kite, option('NIFTY24DEC24000CE', { quantity: 5000 }))).resolves.toHaveProperty('order_id');
  });

  it('autoslices above the freeze limit into tagged children, in autoslice_response.json’s shape', async () => {
    // As in the mock: four slices, the third refused for margin.
    sim.failNextAutoslices([2]);
    const raw = await rawApi(sim, 'POST', '/orders/regular', {
      exchange: 'NFO',
      tradingsymbol: nifty,
      transaction_type: 'BUY',
      quantity: String(3 * 1755 + 520),
      product: 'NRML',
      order_type: 'LIMIT',
      price: '1',
      autoslice: 'true',
    });
    expect(raw.status).toBe(200);
    expect(shapeDifferences(raw.body, sampleAutoslice)).toEqual([]);

    const response = await placeAutoslice(option(nifty, { quantity: 4030, tag: 'leg7' }));
    expect(response.order_id).toMatch(/^\d{19}$/);
    expect(response.children).toHaveLength(3);
    const children = response.children.map((child) => sim.getOrder(child.order_id!)!);
    expect(children.map((child) => child.quantity)).toEqual([1755, 1755, 520]);
    for (const child of children) {
      expect(child).toMatchObject({ tag: 'leg7', tags: ['leg7', 'autoslice', `autoslice:${response.order_id}`], status: 'OPEN' });
    }
    // The parent id only groups the slices: it is not an order of its own.
    expect(await rejectionOf(kite.getOrderHistory(response.order_id))).toMatchObject({ error_type: 'OrderException' });
    // Without a tag of the caller's, a slice is tagged exactly like orders.json's autoslice child.
    const untagged = raw.body.data as AutosliceResponse;
    const sampleChild = sampleOrders.data.find((order) => (order as { tags?: string[] }).tags?.includes('autoslice'))!;
    expect(sampleChild).toMatchObject({ tag: null, tags: ['autoslice', expect.stringMatching(/^autoslice:\d{19}$/)] });
    expect(sim.getOrder(untagged.children[0].order_id!)).toMatchObject({ tag: null, tags: ['autoslice', `autoslice:${untagged.order_id}`] });
  });

  it('refuses autoslice below twice the largest order and above 10 slices, with Kite’s message where known', async () => {
    expect(await rejectionOf(placeAutoslice(option(nifty, { quantity: 1820 })))).toMatchObject({
      error_type: 'InputException',
      message: 'Quantity should be greater than or equal to 3510 for order slicing.',
    });
    expect(await rejectionOf(placeAutoslice(option(banknifty, { quantity: 6030 })))).toMatchObject({
      message: 'Quantity 6030 needs 11 slices of at most 600; order slicing allows at most 10 slices.',
    });
    expect(await rejectionOf(placeAutoslice({ ...option('SBIN'), exchange: 'NSE', product: 'CNC', quantity: 5000 }))).toMatchObject({
      message: 'Order slicing is not available for NSE:SBIN.',
    });
    const tenSlices = await placeAutoslice(option(banknifty, { quantity: 6000 }));
    expect(tenSlices.children).toHaveLength(10);
  });

  it('reports a failed slice as an error child while the others are placed (failNextAutoslices)', async () => {
    sim.failNextAutoslices([1]);
    const response = await placeAutoslice(option(banknifty, { quantity: 1500 }));
    expect(response.children.map((child) => (child.order_id ? 'placed' : child.error?.error_type))).toEqual(['placed', 'MarginException', 'placed']);
    expect(response.children[1].error).toMatchObject({ code: 400, data: null, message: expect.stringMatching(/^Insufficient funds\. Required margin is/) });
    expect(sim.getOrders().map((order) => order.quantity)).toEqual([600, 300]);
    // One-shot: the next autoslice is whole again.
    expect((await placeAutoslice(option(banknifty, { quantity: 1200 }))).children.every((child) => child.order_id)).toBe(true);
    // The same switch for a standalone simulator.
    await fetch(`${sim.url}/_sim/autoslice_failures`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ slices: '0' }),
    });
    expect((await placeAutoslice(option(banknifty, { quantity: 1200 }))).children.map((child) => Boolean(child.order_id))).toEqual([false, true]);
  });

  it('records algo_id on the order without adding it to the order row', async () => {
    // kiteconnect 5.3.0's types lack algo_id; the client posts every key it is given.
    const params: PlaceParams & { algo_id: string } = { ...option(nifty), algo_id: 'ALGO123' };
    const { order_id } = await place(kite, params);
    expect(sim.requests.at(-1)?.body).toMatchObject({ algo_id: 'ALGO123' });
    expect(sim.getOrderAlgoId(order_id)).toBe('ALGO123');
    const [row] = await kite.getOrders();
    expect(row).not.toHaveProperty('algo_id');

    const sliced = await placeAutoslice({ ...option(nifty, { quantity: 3510 }), algo_id: 'ALGO123' } as PlaceParams);
    expect(sliced.children.map((child) => sim.getOrderAlgoId(child.order_id!))).toEqual(['ALGO123', 'ALGO123']);
    const { order_id: plain } = await place(kite, option(nifty));
    expect(sim.getOrderAlgoId(plain)).toBeUndefined();
  });
});
