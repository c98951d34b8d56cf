import { KiteApiError } from './kite-errors';
import { parseGttParams } from './gtt-params';

const leg = (overrides: Record<string, unknown> = {}) => ({
  exchange: 'NSE',
  tradingsymbol: 'INFY',
  transaction_type: 'SELL',
  order_type: 'LIMIT',
  product: 'CNC',
  quantity: 1,
  price: 1400,
  ...overrides,
});
const body = (overrides: Record<string, string> = {}) => ({
  type: 'two-leg',
  condition: JSON.stringify({ exchange: 'NSE', tradingsymbol: 'INFY', trigger_values: [1400, 1700], last_price: 1550 }),
  orders: JSON.stringify([leg(), leg({ price: 1700 })]),
  ...overrides,
});

function message(fields: Record<string, string>, allowMis = false): string | undefined {
  try {
    parseGttParams(fields, { allowMis });
  } catch (error) {
    if (error instanceof KiteApiError && error.errorType === 'InputException' && error.httpStatus === 400) return error.message;
    throw error;
  }
  return undefined;
}

describe('GTT form fields', () => {
  it('parses the wire format kiteconnect sends (condition and orders as JSON strings)', () => {
    expect(parseGttParams(body(), { allowMis: false })).toEqual({
      type: 'two-leg',
      condition: { exchange: 'NSE', tradingsymbol: 'INFY', trigger_values: [1400, 1700], last_price: 1550 },
      orders: [leg(), leg({ price: 1700 })],
    });
  });

  it('refuses bad types, bad JSON and wrong trigger or order counts with an InputException', () => {
    expect(message(body({ type: 'oco' }))).toBe('Invalid `type`: use `single` or `two-leg`.');
    expect(message(body({ type: '' }))).toBe('Missing `type`.');
    expect(message(body({ condition: '{"exchange":' }))).toBe('Invalid `condition`: not valid JSON.');
    expect(message(body({ orders: '[1,' }))).toBe('Invalid `orders`: not valid JSON.');
    expect(message(body({ condition: '[]' }))).toBe('Invalid `condition`: expected a JSON object.');
    expect(message(body({ type: 'single' }))).toBe('Invalid `condition.trigger_values`: a `single` GTT takes 1 trigger value, got 2.');
    expect(message(body({ condition: JSON.stringify({ exchange: 'NSE', tradingsymbol: 'INFY', trigger_values: [1400], last_price: 1550 }) }))).toBe(
      'Invalid `condition.trigger_values`: a `two-leg` GTT takes 2 trigger values, got 1.',
    );
    expect(message(body({ orders: JSON.stringify([leg()]) }))).toBe('Invalid `orders`: a `two-leg` GTT takes 2 orders, got 1.');
    expect(message(body({ condition: JSON.stringify({ exchange: 'NSE', tradingsymbol: 'INFY', trigger_values: [1400, 1700] }) }))).toBe(
      'Invalid `condition.last_price`.',
    );
  });

  it('refuses orders for another instrument, non-LIMIT or MIS legs (unless allowed) and bad numbers', () => {
    const withLeg = (overrides: Record<string, unknown>) => body({ orders: JSON.stringify([leg(), leg(overrides)]) });
    expect(message(withLeg({ tradingsymbol: 'SBIN' }))).toBe("Invalid `orders[1]`: a GTT's orders must be for its own instrument NSE:INFY.");
    expect(message(withLeg({ order_type: 'MARKET' }))).toBe('Invalid `orders[1].order_type`: GTT orders must be LIMIT orders.');
    expect(message(withLeg({ product: 'MIS' }))).toBe('Invalid `orders[1].product`: GTT orders take CNC or NRML.');
    expect(message(withLeg({ product: 'MIS' }), true)).toBeUndefined();
    expect(message(withLeg({ quantity: 1.5 }))).toBe('Invalid `orders[1].quantity`.');
    expect(message(withLeg({ price: null }))).toBe('Invalid `orders[1].price`.'); // kiteconnect's parseFloat(undefined) → NaN → null
    expect(message(withLeg({ transaction_type: 'HOLD' }))).toBe('Invalid `orders[1].transaction_type`.');
  });
});
