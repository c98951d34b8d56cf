import { KiteApiError } from './kite-errors';
import { fireDueTriggers, GttBook, GttBookOptions } from './gtt-book';
import type { GttInput, GttLegInput } from './gtt-params';
import { DEFAULT_FREEZE_LIMITS } from './instrument-rules';
import { InstrumentList } from './instruments';
import { OrderBook } from './order-book';

const T0 = new Date('2026-12-03T04:00:00Z'); // Thursday 09:30 IST

function setup(overrides: Partial<GttBookOptions> = {}) {
  let now = T0;
  const prices = new Map<string, number>([
    ['INFY', 1550],
    ['SBIN', 960],
    ['NIFTY26DEC26000CE', 330],
  ]);
  const instruments = new InstrumentList(() => now, { startPrices: {} });
  const gtts = new GttBook({
    userId: 'AB1234',
    appId: 1234,
    now: () => now,
    instrument: (exchange, symbol) => instruments.find(exchange, symbol),
    lastPrice: (symbol) => prices.get(symbol)!,
    freezeLimits: DEFAULT_FREEZE_LIMITS,
    maxActive: 250,
    minTriggerDistancePct: 0.25,
    ...overrides,
  });
  return {
    gtts,
    prices,
    advanceDays: (days: number) => (now = new Date(now.getTime() + days * 86_400_000)),
  };
}

const leg = (price: number, overrides: Partial<GttLegInput> = {}): GttLegInput => ({
  exchange: 'NSE',
  tradingsymbol: 'INFY',
  transaction_type: 'SELL',
  order_type: 'LIMIT',
  product: 'CNC',
  quantity: 5,
  price,
  ...overrides,
});
/** INFY at 1550: stop-loss at 1400, target at 1700. */
const oco = (triggerValues = [1400, 1700]): GttInput => ({
  type: 'two-leg',
  condition: { exchange: 'NSE', tradingsymbol: 'INFY', trigger_values: triggerValues, last_price: 1550 },
  orders: [leg(triggerValues[0] - 1), leg(triggerValues[1])],
});
const single = (symbol: string, exchange: string, trigger: number, order: Partial<GttLegInput> = {}): GttInput => ({
  type: 'single',
  condition: { exchange, tradingsymbol: symbol, trigger_values: [trigger], last_price: 1 },
  orders: [leg(trigger, { exchange, tradingsymbol: symbol, transaction_type: 'BUY', ...order })],
});

function refusal(action: () => unknown): { status: number; errorType: string; message: string } {
  try {
    action();
  } catch (error) {
    if (error instanceof KiteApiError) return { status: error.httpStatus, errorType: error.errorType, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('GttBook', () => {
  it('keeps a two-leg GTT in Kite’s shape and fires only the leg whose trigger the price reaches', () => {
    const { gtts, prices } = setup();
    const id = gtts.place(oco());
    expect(gtts.get(id)).toEqual({
      id,
      user_id: 'AB1234',
      parent_trigger: null,
      type: 'two-leg',
      created_at: '2026-12-03 09:30:00',
      updated_at: '2026-12-03 09:30:00',
      expires_at: '2027-12-03 09:30:00', // equity: a year
      status: 'active',
      condition: { exchange: 'NSE', last_price: 1550, tradingsymbol: 'INFY', trigger_values: [1400, 1700], instrument_token: 408065 },
      orders: [
        { exchange: 'NSE', tradingsymbol: 'INFY', product: 'CNC', order_type: 'LIMIT', transaction_type: 'SELL', quantity: 5, price: 1399, result: null },
        { exchange: 'NSE', tradingsymbol: 'INFY', product: 'CNC', order_type: 'LIMIT', transaction_type: 'SELL', quantity: 5, price: 1700, result: null },
      ],
      meta: {},
    });

    prices.set('INFY', 1699.95);
    expect(gtts.due()).toEqual([]);
    prices.set('INFY', 1702.5);
    const fired = gtts.due('INFY');
    expect(fired).toEqual([{ triggerId: id, legIndex: 1, order: gtts.get(id).orders[1], lastPrice: 1702.5 }]);
    expect(gtts.get(id).status).toBe('triggered');
    // The other leg lies dormant: the price falling through the stop later fires nothing.
    prices.set('INFY', 1300);
    expect(gtts.due()).toEqual([]);

    gtts.recordResult(fired[0], { orderId: '261203000000000001' });
    const [dormant, result] = gtts.get(id).orders.map((order) => order.result);
    expect(dormant).toBeNull();
    expect(result).toEqual({
      account_id: 'AB1234',
      exchange: 'NSE',
      tradingsymbol: 'INFY',
      validity: 'DAY',
      product: 'CNC',
      order_type: 'LIMIT',
      transaction_type: 'SELL',
      quantity: 5,
      price: 1700,
      meta: `{"app_id":1234,"gtt":${id}}`,
      timestamp: '2026-12-03 09:30:00',
      triggered_at: 1702.5,
      order_result: { status: 'success', order_id: '261203000000000001', rejection_reason: '' },
    });
  });

  it('fires a single GTT when the price crosses it from the side it started on', () => {
    const { gtts, prices } = setup();
    const above = gtts.place(single('SBIN', 'NSE', 1000));
    const below = gtts.place(single('SBIN', 'NSE', 900));
    prices.set('SBIN', 999.95);
    expect(gtts.due()).toEqual([]);
    prices.set('SBIN', 1000);
    expect(gtts.due().map((fired) => fired.triggerId)).toEqual([above]);
    prices.set('SBIN', 880);
    expect(gtts.due().map((fired) => fired.triggerId)).toEqual([below]);
  });

  it('refuses GTTs the instrument list or the market rules out', () => {
    const { gtts } = setup();
    expect(refusal(() => gtts.place(single('YESBANK', 'NSE', 20)))).toEqual({
      status: 400,
      errorType: 'InputException',
      message: 'Invalid instrument: NSE:YESBANK is not in the instrument list.',
    });
    expect(refusal(() => gtts.place(single('NIFTY 50', 'NSE', 25000))).message).toBe('NIFTY 50 is an index and cannot be traded.');
    expect(refusal(() => gtts.place(single('NIFTY26DEC26000CE', 'NFO', 300, { quantity: 100, product: 'NRML' }))).message).toBe(
      'Quantity should be a multiple of the lot size of 65 for NIFTY26DEC26000CE.',
    );
    expect(refusal(() => gtts.place(single('NIFTY26DEC26000CE', 'NFO', 300, { quantity: 1820, product: 'NRML' }))).message).toMatch(
      /^The order quantity 1820 \(28 lots\) is higher than the maximum quantity of 1755 \(27 lots\)/,
    );
    expect(refusal(() => gtts.place(oco([1400.03, 1700]))).message).toMatch(/^Tick size for this script is 0\.05/);
    expect(refusal(() => gtts.place(oco([1560, 1700]))).message).toBe(
      'For a two-leg GTT the first trigger value must be below the last price (1550) and the second above it.',
    );
    expect(refusal(() => gtts.place(single('INFY', 'NSE', 1550))).message).toBe('The trigger value must differ from the last price (1550).');
    expect(gtts.list()).toEqual([]);
  });

  it('creates a GTT whose trigger is within 0.25% of the last price as disabled; it never fires until fixed', () => {
    const { gtts, prices } = setup();
    const id = gtts.place(single('INFY', 'NSE', 1553)); // 0.19% away
    expect(gtts.get(id).status).toBe('disabled');
    prices.set('INFY', 1560);
    expect(gtts.due()).toEqual([]);
    gtts.modify(id, single('INFY', 'NSE', 1600));
    expect(gtts.get(id)).toMatchObject({ status: 'active', created_at: '2026-12-03 09:30:00', condition: { trigger_values: [1600] } });
  });

  it('modifies and deletes only live GTTs, and answers 404 for an unknown id', () => {
    const { gtts, prices } = setup();
    const id = gtts.place(oco());
    gtts.modify(id, oco([1450, 1650]));
    expect(gtts.get(id).orders.map((order) => order.price)).toEqual([1449, 1650]);
    const deleted = gtts.place(oco());
    expect(gtts.delete(deleted)).toBe(deleted);
    expect(gtts.get(deleted).status).toBe('deleted');
    expect(refusal(() => gtts.delete(deleted))).toEqual({ status: 400, errorType: 'InputException', message: 'Trigger cannot be deleted as it is deleted.' });

    prices.set('INFY', 1440);
    gtts.due();
    expect(refusal(() => gtts.modify(id, oco()))).toEqual({
      status: 400,
      errorType: 'InputException',
      message: 'Trigger cannot be modified as it is triggered.',
    });
    expect(refusal(() => gtts.delete(id)).message).toBe('Trigger cannot be deleted as it is triggered.');
    expect(refusal(() => gtts.get(12345)).status).toBe(404);
  });

  it('expires F&O GTTs with their contract, lists other states for 7 days and finds them by id for ever', () => {
    const { gtts, advanceDays } = setup();
    const option = gtts.place(single('NIFTY26DEC26000CE', 'NFO', 400, { product: 'NRML', quantity: 65 }));
    expect(gtts.get(option).expires_at).toBe('2026-12-29 15:30:00');
    const deleted = gtts.place(oco());
    gtts.delete(deleted);

    advanceDays(6);
    expect(gtts.list().map((trigger) => trigger.id)).toEqual([deleted, option]);
    advanceDays(2);
    expect(gtts.list().map((trigger) => trigger.id)).toEqual([option]);
    expect(gtts.get(deleted).status).toBe('deleted');
    advanceDays(19); // 30 Dec
    expect(gtts.get(option)).toMatchObject({ status: 'expired', updated_at: '2026-12-29 15:30:00' });
    expect(gtts.due()).toEqual([]);
  });

  it('caps active GTTs, and lets Kite’s own actions (cancel, reject) be simulated', () => {
    const { gtts } = setup({ maxActive: 2 });
    const first = gtts.place(oco());
    gtts.place(oco());
    expect(refusal(() => gtts.place(oco())).message).toBe('You can have at most 2 active GTTs.');
    expect(gtts.setStatus(first, 'cancelled').status).toBe('cancelled');
    expect(gtts.place(oco())).toBeGreaterThan(first);
  });

  it('fires due legs into a real order book as untagged LIMIT orders, and records a refused placement as failed', () => {
    const { gtts, prices } = setup();
    const bookWithTick = (tickSize: number) =>
      new OrderBook({
        userId: 'AB1234',
        tickSize,
        requireMarketProtection: false,
        maxQuantity: 10_000,
        partialFillSteps: 1,
        maxModifications: 25,
        now: () => T0,
        lastPrice: (symbol) => prices.get(symbol)!,
        instrumentToken: () => 408065,
      });
    const book = bookWithTick(0.05);
    const id = gtts.place(oco());
    prices.set('INFY', 1701);
    const { events, orderIds } = fireDueTriggers(gtts, book);
    expect(orderIds).toHaveLength(1);
    expect(book.get(orderIds[0])).toMatchObject({
      tag: null,
      tags: [],
      meta: {},
      order_type: 'LIMIT',
      price: 1700,
      quantity: 5,
      status: 'COMPLETE',
      average_price: 1701,
    });
    expect(events.map((event) => event.kind)).toEqual(['OPEN', 'COMPLETE']);
    expect(gtts.get(id).orders[1].result?.order_result).toEqual({ status: 'success', order_id: orderIds[0], rejection_reason: '' });

    // A book on a coarser tick refuses the leg's price: the GTT is triggered, but no order exists.
    const coarse = bookWithTick(1);
    const second = gtts.place(single('SBIN', 'NSE', 1000, { price: 1000.5 }));
    prices.set('SBIN', 1001);
    expect(fireDueTriggers(gtts, coarse).orderIds).toEqual([]);
    expect(gtts.get(second)).toMatchObject({ status: 'triggered' });
    expect(gtts.get(second).orders[0].result?.order_result).toEqual({
      status: 'failed',
      order_id: '',
      rejection_reason: 'Tick size for this script is 1. Kindly enter price in the multiple of tick size for this script',
    });
  });
});
