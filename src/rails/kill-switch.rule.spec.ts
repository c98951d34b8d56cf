import type { CurrentOrder } from '../broker/order-rails';
import { riskAddedBy } from './kill-switch.rule';

const resting: CurrentOrder = { quantity: 10, orderType: 'LIMIT', price: 470, triggerPrice: 0, transactionType: 'SELL', status: 'OPEN' };

describe('kill switch rule for modifications: only a smaller quantity', () => {
  it('lets a smaller (or the same) quantity through, also with unchanged fields sent along', () => {
    expect(riskAddedBy(resting, { quantity: 4 })).toBeNull();
    expect(riskAddedBy(resting, { quantity: 10, order_type: 'LIMIT', price: 470 })).toBeNull();
  });

  it('fields left unset (undefined or null, as a caller passing every parameter does) are not changes', () => {
    expect(
      riskAddedBy(resting, { quantity: 4, price: undefined, trigger_price: null, order_type: undefined, validity: undefined, disclosed_quantity: null }),
    ).toBeNull();
  });

  it('the same price or trigger price sent along, as a number or as text, is no change', () => {
    expect(riskAddedBy(resting, { quantity: 4, price: '470', trigger_price: 0 })).toBeNull();
    expect(riskAddedBy({ ...resting, orderType: 'SL', triggerPrice: 465 }, { quantity: 4, trigger_price: '465' })).toBeNull();
  });

  it('market_protection sent along with a smaller quantity goes through (it only matters for MARKET and SL-M, which order_type guards)', () => {
    expect(riskAddedBy(resting, { quantity: 4, market_protection: 2 })).toBeNull();
  });

  it.each([
    [{ quantity: 11 }, /quantity 10 → 11/],
    [{ order_type: 'MARKET', market_protection: -1 }, /order type LIMIT → MARKET/],
    [{ price: 469.95 }, /price 470 → 469.95/],
    [{ trigger_price: 465 }, /trigger price 0 → 465/],
    [{ quantity: 5, validity: 'IOC' }, /validity may not change/],
  ])('refuses %j', (params, why) => {
    expect(riskAddedBy(resting, params)).toMatch(why);
  });

  it("refuses when the order's current state is unknown", () => {
    expect(riskAddedBy(null, { quantity: 1 })).toMatch(/could not be read/);
  });
});
