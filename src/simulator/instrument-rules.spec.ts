import { KiteApiError } from './kite-errors';
import { autosliceQuantities, checkOrderAgainstInstrument, DEFAULT_FREEZE_LIMITS, maxOrderQuantity } from './instrument-rules';
import type { InstrumentRow } from './instruments';

const instrument = (overrides: Partial<InstrumentRow>): InstrumentRow => ({
  instrument_token: 12345 * 256 + 2,
  exchange_token: 12345,
  tradingsymbol: 'NIFTY26DEC26000CE',
  name: 'NIFTY',
  last_price: 300,
  expiry: '2026-12-29',
  strike: 26000,
  tick_size: 0.05,
  lot_size: 65,
  instrument_type: 'CE',
  segment: 'NFO-OPT',
  exchange: 'NFO',
  ...overrides,
});
const NIFTY = instrument({});
const BANKNIFTY = instrument({ tradingsymbol: 'BANKNIFTY26DEC59000CE', name: 'BANKNIFTY', lot_size: 30 });
const SBIN = instrument({
  tradingsymbol: 'SBIN',
  name: 'STATE BANK OF INDIA',
  lot_size: 1,
  exchange: 'NSE',
  segment: 'NSE',
  instrument_type: 'EQ',
  expiry: '',
});

/** The InputException a check threw, or undefined. */
function refusal(check: () => unknown): { errorType: string; message: string } | undefined {
  try {
    check();
  } catch (error) {
    if (error instanceof KiteApiError) return { errorType: error.errorType, message: error.message };
    throw error;
  }
  return undefined;
}

describe('instrument rules', () => {
  it('takes the largest order as the biggest lot multiple within the freeze limit', () => {
    expect(maxOrderQuantity(NIFTY, DEFAULT_FREEZE_LIMITS)).toBe(1755); // 27 lots of 65
    expect(maxOrderQuantity(BANKNIFTY, DEFAULT_FREEZE_LIMITS)).toBe(600);
    expect(maxOrderQuantity(SBIN, DEFAULT_FREEZE_LIMITS)).toBeUndefined();
    expect(maxOrderQuantity(NIFTY, { NIFTY: 900 })).toBe(845);
  });

  it('refuses quantities off the lot, prices off the tick, and orders above the freeze limit, in Kite’s words', () => {
    const check =
      (quantity: number, price = 100, trigger_price = 0, of = NIFTY) =>
      () =>
        checkOrderAgainstInstrument(of, { quantity, price, trigger_price }, DEFAULT_FREEZE_LIMITS);
    expect(refusal(check(65))).toBeUndefined();
    expect(refusal(check(1755))).toBeUndefined();
    expect(refusal(check(100))).toEqual({ errorType: 'InputException', message: 'Quantity should be a multiple of the lot size of 65 for NIFTY26DEC26000CE.' });
    expect(refusal(check(65, 100.03))).toEqual({
      errorType: 'InputException',
      message: 'Tick size for this script is 0.05. Kindly enter price in the multiple of tick size for this script',
    });
    expect(refusal(check(65, 100, 99.99))?.message).toMatch(/^Tick size for this script is 0\.05/);
    expect(refusal(check(1820))).toEqual({
      errorType: 'InputException',
      message: 'The order quantity 1820 (28 lots) is higher than the maximum quantity of 1755 (27 lots) allowed by the exchanges.',
    });
    expect(refusal(check(630, 100, 0, BANKNIFTY))?.message).toBe(
      'The order quantity 630 (21 lots) is higher than the maximum quantity of 600 (20 lots) allowed by the exchanges.',
    );
    expect(refusal(check(123_457, 100, 0, SBIN))).toBeUndefined(); // no freeze table entry for a stock
    expect(refusal(check(65, 100, 0, instrument({ tradingsymbol: 'NIFTY 50', lot_size: 0, segment: 'INDICES' })))?.message).toBe(
      'NIFTY 50 is an index and cannot be traded.',
    );
  });

  it('autoslices into full slices with the remainder last, from twice the largest order up to 10 slices', () => {
    expect(autosliceQuantities(NIFTY, 3510, DEFAULT_FREEZE_LIMITS, 10)).toEqual([1755, 1755]);
    expect(autosliceQuantities(NIFTY, 4030, DEFAULT_FREEZE_LIMITS, 10)).toEqual([1755, 1755, 520]);
    expect(autosliceQuantities(BANKNIFTY, 6000, DEFAULT_FREEZE_LIMITS, 10)).toEqual(Array(10).fill(600));
    expect(refusal(() => autosliceQuantities(NIFTY, 1820, DEFAULT_FREEZE_LIMITS, 10))?.message).toBe(
      'Quantity should be greater than or equal to 3510 for order slicing.',
    );
    expect(refusal(() => autosliceQuantities(BANKNIFTY, 6030, DEFAULT_FREEZE_LIMITS, 10))?.message).toBe(
      'Quantity 6030 needs 11 slices of at most 600; order slicing allows at most 10 slices.',
    );
    expect(refusal(() => autosliceQuantities(SBIN, 5000, DEFAULT_FREEZE_LIMITS, 10))?.message).toBe('Order slicing is not available for NSE:SBIN.');
  });
});
