import { SHIPPED_FREEZE_LIMITS } from '../instruments/freeze-limits';
import { inputError } from './kite-errors';
import { InstrumentRow, isTradable } from './instruments';
import { checkOnTick } from './order-params';

/** Units per order above which the exchange freezes an order, per underlying. */
export type FreezeLimits = Record<string, number>;

/**
 * The exchange's limits: the same dated table legwork ships (NSE circular of 2026-01-30 for the NSE indices, ICICI
 * Direct's F&O FAQ for BSE's; see src/instruments/freeze-limits.ts). Override with SIM_FREEZE_LIMITS, e.g. to play an
 * exchange whose limits changed before legwork's table did.
 */
export const DEFAULT_FREEZE_LIMITS: FreezeLimits = { ...SHIPPED_FREEZE_LIMITS };

/** Kite's cap on autoslice since 2026-04-01, "to stay in line with the 10 orders-per-second limit" (kite.trade forum announcement). */
export const DEFAULT_AUTOSLICE_MAX_SLICES = 10;

/** The largest order the exchange takes: the biggest lot multiple not above the freeze limit (NIFTY: 1755 = 27 × 65). */
export function maxOrderQuantity(instrument: InstrumentRow, freezeLimits: FreezeLimits): number | undefined {
  const limit = freezeLimits[instrument.name];
  if (limit === undefined || !isTradable(instrument)) return undefined;
  return Math.floor(limit / instrument.lot_size) * instrument.lot_size;
}

export function checkTradable(instrument: InstrumentRow): void {
  if (!isTradable(instrument)) throw inputError(`${instrument.tradingsymbol} is an index and cannot be traded.`);
}

/** Kite's exact wording for this refusal was not found; this names the lot size so the fix is obvious. */
export function checkLotSize(instrument: InstrumentRow, quantity: number): void {
  if (quantity % instrument.lot_size !== 0) {
    throw inputError(`Quantity should be a multiple of the lot size of ${instrument.lot_size} for ${instrument.tradingsymbol}.`);
  }
}

/** The instrument's tick for each price given (price, trigger; 0 = not set). */
export function checkTicks(instrument: InstrumentRow, ...prices: number[]): void {
  for (const price of prices) checkOnTick(price, instrument.tick_size);
}

/**
 * The freeze-quantity refusal in Kite's words (a 400 InputException a user posted on the kite.trade forum):
 * "The order quantity 1000 (40 lots) is higher than the maximum quantity of 900 (36 lots) allowed by the exchanges."
 */
export function checkFreezeLimit(instrument: InstrumentRow, quantity: number, freezeLimits: FreezeLimits): void {
  const max = maxOrderQuantity(instrument, freezeLimits);
  if (max === undefined || quantity <= max) return;
  const lots = (units: number): number => units / instrument.lot_size;
  throw inputError(
    `The order quantity ${quantity} (${lots(quantity)} lots) is higher than the maximum quantity of ${max} (${lots(max)} lots) allowed by the exchanges.`,
  );
}

/** Every rule a listed instrument imposes on a plain (not autosliced) order or modification. */
export function checkOrderAgainstInstrument(
  instrument: InstrumentRow,
  order: { quantity: number; price: number; trigger_price: number },
  freezeLimits: FreezeLimits,
): void {
  checkTradable(instrument);
  checkLotSize(instrument, order.quantity);
  checkTicks(instrument, order.price, order.trigger_price);
  checkFreezeLimit(instrument, order.quantity, freezeLimits);
}

/**
 * Slice quantities for `autoslice=true`: full slices of the largest legal order, the remainder last. Refused like
 * Kite below twice the largest order (a user saw "Quantity should be greater than or equal to 3510 for order
 * slicing." on NIFTY, kite.trade forum; 3510 = 2 × 1755 is our reading), and above `maxSlices` slices (Kite's cap; its refusal
 * text was not found).
 */
export function autosliceQuantities(instrument: InstrumentRow, quantity: number, freezeLimits: FreezeLimits, maxSlices: number): number[] {
  const max = maxOrderQuantity(instrument, freezeLimits);
  if (max === undefined) throw inputError(`Order slicing is not available for ${instrument.exchange}:${instrument.tradingsymbol}.`);
  if (quantity < 2 * max) throw inputError(`Quantity should be greater than or equal to ${2 * max} for order slicing.`);
  const count = Math.ceil(quantity / max);
  if (count > maxSlices) {
    throw inputError(`Quantity ${quantity} needs ${count} slices of at most ${max}; order slicing allows at most ${maxSlices} slices.`);
  }
  return Array.from({ length: count }, (_, i) => Math.min(max, quantity - i * max));
}
