import { KiteApiError } from './kite-errors';
import { FormFields, parseModifyParams, parsePlaceParams, ParamRules } from './order-params';

const rules: ParamRules = { tickSize: 0.05, requireMarketProtection: false };
const base: FormFields = {
  exchange: 'NSE',
  tradingsymbol: 'SBIN',
  transaction_type: 'BUY',
  quantity: '1',
  product: 'CNC',
  order_type: 'LIMIT',
  price: '470.5',
  variety: 'regular',
};

function refusal(body: FormFields, variety = 'regular', r = rules): KiteApiError {
  try {
    parsePlaceParams(variety, body, r);
  } catch (error) {
    if (error instanceof KiteApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parsePlaceParams', () => {
  it('parses the form body kiteconnect sends', () => {
    expect(parsePlaceParams('regular', { ...base, tag: 'leg1', market_protection: '-1' }, rules)).toMatchObject({
      quantity: 1,
      price: 470.5,
      trigger_price: 0,
      validity: 'DAY',
      tag: 'leg1',
      market_protection: -1,
    });
  });

  it.each(['tradingsymbol', 'quantity', 'transaction_type', 'exchange', 'order_type', 'product'])('refuses a missing %s with InputException', (key) => {
    const body = { ...base };
    delete body[key];
    expect(refusal(body)).toMatchObject({ httpStatus: 400, errorType: 'InputException', message: `Missing \`${key}\`.` });
  });

  it('refuses bad values the way Kite does', () => {
    expect(refusal({ ...base, tag: 'x'.repeat(21) }).message).toMatch(/tag/);
    expect(refusal({ ...base, price: '' }).message).toBe('Invalid `price`.');
    expect(refusal({ ...base, order_type: 'SL', trigger_price: '0' }).message).toBe('Invalid `trigger_price`.');
    expect(refusal({ ...base, price: '470.03' }).message).toMatch(/Tick size for this script is 0.05/);
    expect(refusal({ ...base, quantity: '1.5' }).message).toBe('Invalid `quantity`.');
    expect(refusal({ ...base, quantity: '0' }).message).toBe('Invalid `quantity`.');
    expect(refusal({ ...base, transaction_type: 'HOLD' }).message).toBe('Invalid `transaction_type`.');
    expect(refusal(base, 'nonsense').message).toBe('Invalid `variety`.');
    expect(refusal(base, 'amo').message).toMatch(/not supported/);
  });

  it('treats `tag=` (how qs sends null) as no tag, and keeps a 20-character tag', () => {
    expect(parsePlaceParams('regular', { ...base, tag: '' }, rules).tag).toBeNull();
    expect(parsePlaceParams('regular', { ...base, tag: 'a'.repeat(20) }, rules).tag).toHaveLength(20);
  });

  it('accepts MARKET without market_protection unless requireMarketProtection is on', () => {
    const market = { ...base, order_type: 'MARKET', price: '470.5' };
    expect(parsePlaceParams('regular', market, rules)).toMatchObject({ order_type: 'MARKET', price: 0, market_protection: 0 });
    const strict = { ...rules, requireMarketProtection: true };
    expect(refusal(market, 'regular', strict).message).toMatch(/market protection/);
    expect(parsePlaceParams('regular', { ...market, market_protection: '2' }, strict).market_protection).toBe(2);
  });
});

describe('parseModifyParams', () => {
  it('keeps only the fields that were sent', () => {
    expect(parseModifyParams({ price: '471', variety: 'regular', order_id: '151220000000000' })).toEqual({ price: 471 });
  });
});
