import { SHIPPED_FREEZE_LIMITS } from './freeze-limits';
import {
  checkFreezeQuantity,
  checkOrderSizing,
  freezeLimitFor,
  isOnTick,
  KITE_AUTOSLICE_MAX_SLICES,
  largestOrder,
  planSlices,
  SizedInstrument,
} from './order-sizing';

const NIFTY_CE: SizedInstrument = { exchange: 'NFO', tradingsymbol: 'NIFTY26JAN26000CE', name: 'NIFTY', instrumentType: 'CE', lotSize: 65, tickSize: 0.05 };
const BANKNIFTY_FUT: SizedInstrument = {
  exchange: 'NFO',
  tradingsymbol: 'BANKNIFTY26JANFUT',
  name: 'BANKNIFTY',
  instrumentType: 'FUT',
  lotSize: 30,
  tickSize: 0.2,
};
const SBIN: SizedInstrument = { exchange: 'NSE', tradingsymbol: 'SBIN', name: 'STATE BANK OF INDIA', instrumentType: 'EQ', lotSize: 1, tickSize: 0.05 };
const USDINR: SizedInstrument = { exchange: 'CDS', tradingsymbol: 'USDINR26JANFUT', name: 'USDINR', instrumentType: 'FUT', lotSize: 1, tickSize: 0.0025 };
const NIFTY_INDEX: SizedInstrument = { exchange: 'NSE', tradingsymbol: 'NIFTY 50', name: 'NIFTY 50', instrumentType: 'EQ', lotSize: 0, tickSize: 0 };

describe('checkOrderSizing: lot and tick rules before an order leaves', () => {
  it('passes lot multiples on the tick', () => {
    expect(checkOrderSizing(NIFTY_CE, { quantity: 130, order_type: 'LIMIT', price: 101.05 })).toBeNull();
    expect(checkOrderSizing(NIFTY_CE, { quantity: 65, order_type: 'SL', price: 99.95, trigger_price: 100.1 })).toBeNull();
    expect(checkOrderSizing(SBIN, { quantity: 7, order_type: 'MARKET' })).toBeNull();
    expect(checkOrderSizing(USDINR, { quantity: 1, order_type: 'LIMIT', price: 83.2525 })).toBeNull();
    expect(checkOrderSizing(BANKNIFTY_FUT, { quantity: 60, order_type: 'LIMIT', price: 59012.4 })).toBeNull();
  });

  it('refuses a quantity that is not a lot multiple, naming the lot and the nearest valid quantities', () => {
    expect(checkOrderSizing(NIFTY_CE, { quantity: 100, order_type: 'MARKET' })).toEqual({
      code: 'LotSize',
      message: 'quantity 100 is not a multiple of the lot size 65 of NFO:NIFTY26JAN26000CE (65 or 130 would be)',
    });
    expect(checkOrderSizing(NIFTY_CE, { quantity: 10 })?.message).toMatch(/\(65 would be\)$/);
  });

  it('refuses a limit price or a trigger off the tick, with the neighbouring ticks; ignores prices the order type does not use', () => {
    expect(checkOrderSizing(NIFTY_CE, { quantity: 65, order_type: 'LIMIT', price: 101.03 })).toEqual({
      code: 'TickSize',
      message: 'price 101.03 is not a multiple of the tick size 0.05 of NFO:NIFTY26JAN26000CE (101 or 101.05 would be)',
    });
    expect(checkOrderSizing(NIFTY_CE, { quantity: 65, order_type: 'SL-M', trigger_price: 99.99 })?.message).toMatch(
      /^trigger price 99\.99 .* \(99\.95 or 100 would be\)$/,
    );
    expect(checkOrderSizing(BANKNIFTY_FUT, { quantity: 30, order_type: 'LIMIT', price: 59012.3 })?.code).toBe('TickSize');
    // A MARKET order's stray price and an SL-M's price are not sent as limits: not checked.
    expect(checkOrderSizing(NIFTY_CE, { quantity: 65, order_type: 'MARKET', price: 101.03 })).toBeNull();
    expect(checkOrderSizing(NIFTY_CE, { quantity: 65, order_type: 'SL-M', price: 101.03, trigger_price: 100 })).toBeNull();
    // A modification without an order type: every price it carries is checked.
    expect(checkOrderSizing(NIFTY_CE, { trigger_price: 100.01 })?.code).toBe('TickSize');
  });

  it('refuses an index row (lot 0): it cannot be traded', () => {
    expect(checkOrderSizing(NIFTY_INDEX, { quantity: 1, order_type: 'MARKET' })?.code).toBe('NotTradable');
  });

  it('compares ticks with a tolerance for binary floats, not for real misses', () => {
    expect(101.05 / 0.05).not.toBe(2021); // why a tolerance is needed
    expect(isOnTick(101.05, 0.05)).toBe(true);
    expect(isOnTick(0.1 + 0.2, 0.05)).toBe(true);
    expect(isOnTick(123456.75, 0.05)).toBe(true);
    expect(isOnTick(123456.76, 0.05)).toBe(false);
    expect(isOnTick(83.2526, 0.0025)).toBe(false);
  });
});

describe('freeze limits and the largest order', () => {
  it('applies the table to derivatives by underlying only', () => {
    expect(freezeLimitFor(NIFTY_CE, SHIPPED_FREEZE_LIMITS)).toBe(1800);
    expect(freezeLimitFor(BANKNIFTY_FUT, SHIPPED_FREEZE_LIMITS)).toBe(600);
    expect(freezeLimitFor({ name: 'NIFTY', instrumentType: 'EQ' }, SHIPPED_FREEZE_LIMITS)).toBeUndefined();
    expect(freezeLimitFor(USDINR, SHIPPED_FREEZE_LIMITS)).toBeUndefined();
  });

  it('is the biggest lot multiple within the freeze quantity (NIFTY 1800 at lot 65 → 1755 = 27 lots; BANKNIFTY 600 at 30 → 600)', () => {
    expect(largestOrder(65, 1800)).toBe(1755);
    expect(largestOrder(30, 600)).toBe(600);
  });
});

describe('planSlices: one order, Kite’s autoslice, or legwork’s own slices', () => {
  const nifty = { lotSize: 65, freezeLimit: 1800 };

  it('sends one order within the largest order, without a known freeze quantity, or as an iceberg', () => {
    expect(planSlices({ ...nifty, quantity: 1755 })).toMatchObject({ path: 'single', slices: [1755] });
    expect(planSlices({ quantity: 100_000, lotSize: 1 })).toMatchObject({ path: 'single', slices: [100_000] });
    expect(planSlices({ ...nifty, quantity: 3510, variety: 'iceberg' })).toMatchObject({ path: 'single', slices: [3510] });
  });

  it('slices itself between the largest order and twice it, where Kite refuses autoslice', () => {
    const plan = planSlices({ ...nifty, quantity: 1820 });
    expect(plan).toMatchObject({ path: 'legwork', slices: [1755, 65], largestOrder: 1755 });
    expect(plan.reason).toMatch(/autoslice needs at least 3510/);
  });

  it("uses Kite's autoslice from twice the largest order up to 10 slices: largest orders first, the remainder last", () => {
    expect(planSlices({ ...nifty, quantity: 3510 })).toMatchObject({ path: 'autoslice', slices: [1755, 1755] });
    expect(planSlices({ ...nifty, quantity: 4030 })).toMatchObject({ path: 'autoslice', slices: [1755, 1755, 520] });
    expect(planSlices({ ...nifty, quantity: 17_550 })).toMatchObject({ path: 'autoslice', slices: Array(KITE_AUTOSLICE_MAX_SLICES).fill(1755) });
  });

  it('slices itself above the 10-slice cap, for other varieties, or when autoslice is off', () => {
    const big = planSlices({ ...nifty, quantity: 17_550 + 65 });
    expect(big).toMatchObject({ path: 'legwork', slices: [...Array(10).fill(1755), 65] });
    expect(big.reason).toMatch(/at most 10 slices/);
    expect(planSlices({ ...nifty, quantity: 3510, variety: 'amo' })).toMatchObject({ path: 'legwork', slices: [1755, 1755] });
    expect(planSlices({ ...nifty, quantity: 3510, autoslice: false })).toMatchObject({ path: 'legwork', slices: [1755, 1755] });
    expect(planSlices({ ...nifty, quantity: 3510 * 2, autosliceMaxSlices: 3 })).toMatchObject({ path: 'legwork' });
  });

  it('makes every slice a lot multiple within the largest order, adding up to the quantity', () => {
    for (const [lotSize, freezeLimit] of [
      [65, 1800],
      [30, 600],
      [20, 1000],
      [75, 1800],
    ]) {
      for (let lots = 1; lots <= 150; lots++) {
        const quantity = lots * lotSize;
        const plan = planSlices({ quantity, lotSize, freezeLimit });
        if (plan.path === 'refused') throw new Error(plan.reason);
        expect(plan.slices.reduce((a, b) => a + b, 0)).toBe(quantity);
        for (const slice of plan.slices) {
          expect(slice % lotSize).toBe(0);
          expect(slice).toBeLessThanOrEqual(largestOrder(lotSize, freezeLimit));
          expect(slice).toBeGreaterThan(0);
        }
      }
    }
  });

  it('refuses a quantity that is not a lot multiple, and a freeze quantity below one lot', () => {
    expect(planSlices({ ...nifty, quantity: 100 })).toMatchObject({ path: 'refused', code: 'LotSize' });
    expect(planSlices({ quantity: 650, lotSize: 65, freezeLimit: 50 })).toMatchObject({ path: 'refused', code: 'FreezeLimit' });
  });
});

describe('checkFreezeQuantity: an order above the largest legal order', () => {
  it('passes up to the largest order and refuses above it, naming the largest order and the freeze quantity', () => {
    expect(checkFreezeQuantity(NIFTY_CE, 1755, 1800)).toBeNull();
    expect(checkFreezeQuantity(NIFTY_CE, 1820, 1800)).toEqual({
      code: 'FreezeLimit',
      message: 'quantity 1820 of NFO:NIFTY26JAN26000CE is above the freeze limit: the largest order the exchange takes is 1755 (freeze quantity 1800)',
    });
    expect(checkFreezeQuantity(NIFTY_CE, 65, 50)?.message).toMatch(/freeze quantity 50 is below one lot \(65\)/);
  });

  it('checks nothing without a quantity (a modification of the price) or a freeze quantity (equities)', () => {
    expect(checkFreezeQuantity(NIFTY_CE, undefined, 1800)).toBeNull();
    expect(checkFreezeQuantity(SBIN, 100_000, undefined)).toBeNull();
  });
});
