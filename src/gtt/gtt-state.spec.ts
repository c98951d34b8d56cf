import sampleTrigger from '../../test/fixtures/kite-gtt-get-order.json';
import { settleDecision } from '../broker/leg-state.machine';
import { firedLegName, firedOrders, gttRequest, GttSpecError, isSameGtt, KiteTrigger, placementFacts } from './gtt-state';

const sell = (price: number, quantity = 5) => ({ transaction_type: 'SELL' as const, quantity, product: 'CNC', price });
const buy = (price: number, quantity = 5) => ({ transaction_type: 'BUY' as const, quantity, product: 'CNC', price });
const infy = { exchange: 'NSE', tradingsymbol: 'INFY', lastPrice: 1550 };

describe('GTT requests: what a strategy asks for, as kiteconnect sends it', () => {
  it('orders an OCO lowest trigger first: a long position’s stop below, target above', () => {
    expect(gttRequest({ ...infy, stop: { trigger: 1500, order: sell(1495) }, target: { trigger: 1600, order: sell(1600) } })).toEqual({
      params: {
        exchange: 'NSE',
        tradingsymbol: 'INFY',
        last_price: 1550,
        trigger_type: 'two-leg',
        trigger_values: [1500, 1600],
        orders: [
          { transaction_type: 'SELL', quantity: 5, product: 'CNC', order_type: 'LIMIT', price: 1495 },
          { transaction_type: 'SELL', quantity: 5, product: 'CNC', order_type: 'LIMIT', price: 1600 },
        ],
      },
      roles: ['stop', 'target'],
    });
  });

  it('a short position’s OCO: the target is the lower trigger, the stop the upper one', () => {
    const { params, roles } = gttRequest({ ...infy, stop: { trigger: 1600, order: buy(1605) }, target: { trigger: 1500, order: buy(1500) } });
    expect(params.trigger_values).toEqual([1500, 1600]);
    expect(params.orders.map((o) => o.price)).toEqual([1500, 1605]);
    expect(roles).toEqual(['target', 'stop']);
  });

  it('a single trigger', () => {
    expect(gttRequest({ ...infy, trigger: 1600, order: buy(1605, 2) })).toMatchObject({
      params: { trigger_type: 'single', trigger_values: [1600] },
      roles: ['trigger'],
    });
  });

  it.each([
    [
      { ...infy, stop: { trigger: 1560, order: sell(1555) }, target: { trigger: 1600, order: sell(1600) } },
      /one trigger below the last price 1550 and one above/,
    ],
    [{ ...infy, trigger: 1550, order: sell(1550) }, /equals the last price/],
    [{ ...infy, trigger: 1600, order: sell(1600, 2.5) }, /quantity must be a whole number/],
    [{ ...infy, trigger: 1600, order: { ...sell(0) } }, /price must be a positive price/],
    [{ ...infy, lastPrice: 0, trigger: 1600, order: sell(1600) }, /lastPrice/],
    [{ ...infy, tradingsymbol: '', trigger: 1600, order: sell(1600) }, /exchange and tradingsymbol/],
  ])('refuses %j', (spec, why) => {
    expect(() => gttRequest(spec as never)).toThrow(GttSpecError);
    expect(() => gttRequest(spec as never)).toThrow(why);
  });
});

describe('finding our GTT in Kite’s list (GTTs carry no tag)', () => {
  const request = gttRequest({ ...infy, stop: { trigger: 1500, order: sell(1495) }, target: { trigger: 1600, order: sell(1600) } });
  const trigger = (overrides: Partial<KiteTrigger> = {}, created = '2026-11-25 10:00:05'): KiteTrigger => ({
    ...(sampleTrigger.data as unknown as KiteTrigger),
    id: 7,
    type: 'two-leg',
    status: 'active',
    created_at: created,
    condition: { exchange: 'NSE', tradingsymbol: 'INFY', trigger_values: [1500, 1600], last_price: 1550, instrument_token: 408065 },
    orders: request.params.orders.map((o) => ({ ...o, exchange: 'NSE', tradingsymbol: 'INFY', result: null })),
    ...overrides,
  });
  const recordedAt = new Date('2026-11-25T04:30:00Z'); // 10:00:00 IST

  it('matches the same type, instrument, triggers, last price and orders, created after ours was recorded', () => {
    expect(isSameGtt(request, trigger(), recordedAt)).toBe(true);
  });

  it('does not take someone’s identical GTT from before (beyond a minute of clock slack), nor a different one', () => {
    expect(isSameGtt(request, trigger({}, '2026-11-25 09:58:59'), recordedAt)).toBe(false);
    expect(isSameGtt(request, trigger({}, '2026-11-25 09:59:30'), recordedAt)).toBe(true);
    expect(isSameGtt(request, trigger({ type: 'single' }), recordedAt)).toBe(false);
    expect(isSameGtt(request, trigger({ condition: { ...trigger().condition, trigger_values: [1500, 1605] } }), recordedAt)).toBe(false);
    expect(isSameGtt(request, trigger({ orders: [trigger().orders[0], { ...trigger().orders[1], quantity: 6 }] }), recordedAt)).toBe(false);
  });
});

describe('what a triggered GTT fired', () => {
  it('reads each fired leg’s order id from orders[i].result.order_result; a failed result has none ("triggered" does not mean an order exists)', () => {
    const kite = sampleTrigger.data as unknown as KiteTrigger; // Kite's own example: the target leg triggered, its order failed
    expect(firedOrders(kite, ['stop', 'target'])).toEqual([
      expect.objectContaining({ role: 'target', legIndex: 1, orderId: null, rejectionReason: expect.stringMatching(/.+/) }),
    ]);
    const placed = structuredClone(kite);
    placed.orders[1].result!.order_result = { status: 'success', order_id: '261125000000042', rejection_reason: '' };
    expect(firedOrders(placed, ['stop', 'target'])).toEqual([expect.objectContaining({ role: 'target', orderId: '261125000000042', rejectionReason: null })]);
    expect(firedLegName('protect', 'target')).toBe('protect:target');
  });
});

describe('a GTT placement is settled by the legs’ rules', () => {
  const facts = { claimedElsewhere: false, bookReadAt: new Date('2026-11-25T04:32:00Z'), settleWindowMs: 120_000, maxAttempts: 3 };
  const unclearAt = new Date('2026-11-25T04:30:30Z');

  it('unknown: waits inside the window, is linked when found, sent again when absent after it', () => {
    const gtt = { status: 'unknown' as const, triggerId: null, attempts: 1, unclearAt };
    expect(settleDecision(placementFacts(gtt), { ...facts, inBook: false })).toEqual({ kind: 'wait', until: new Date('2026-11-25T04:32:30Z') });
    expect(settleDecision(placementFacts(gtt), { ...facts, inBook: true })).toEqual({ kind: 'link' });
    expect(settleDecision(placementFacts(gtt), { ...facts, inBook: false, bookReadAt: new Date('2026-11-25T04:33:00Z') })).toEqual({ kind: 'resend' });
  });

  it('at Kite already (a trigger id): left alone', () => {
    expect(settleDecision(placementFacts({ status: 'active', triggerId: 7, attempts: 1, unclearAt }), { ...facts, inBook: true })).toEqual({ kind: 'leave' });
  });
});
