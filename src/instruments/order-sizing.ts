import type { FreezeLimits } from './freeze-limits';
import type { InstrumentInfo } from './instrument.types';

/**
 * Pure checks and plans for an order's size against the instrument list, made before anything leaves for Kite:
 * lot size, tick size, and how a leg above the exchange's freeze quantity is sent (one order, Kite's `autoslice`, or
 * slices legwork places itself). No I/O: the order gateway looks the instrument up and applies the verdict.
 */

/** Refusal codes, like the rails' (the leg's errorType). */
export type SizingRefusalCode = 'LotSize' | 'TickSize' | 'NotTradable' | 'FreezeLimit';

export interface SizingRefusal {
  code: SizingRefusalCode;
  message: string;
}

/** The fields of kiteconnect's placeOrder / modifyOrder parameters the checks read. */
export interface SizedOrder {
  quantity?: number;
  price?: number;
  trigger_price?: number;
  order_type?: string;
}

export type SizedInstrument = Pick<InstrumentInfo, 'exchange' | 'tradingsymbol' | 'name' | 'instrumentType' | 'lotSize' | 'tickSize'>;

/** Kite caps autoslice at 10 slices since 2026-04-01, "to stay in line with the 10 orders-per-second limit" (announcement on the kite.trade forum). */
export const KITE_AUTOSLICE_MAX_SLICES = 10;

/** Within a millionth of a tick: prices arrive as binary floats (101.05 / 0.05 = 2020.9999999999998). */
export function isOnTick(value: number, tick: number): boolean {
  if (!(tick > 0)) return true;
  const ticks = value / tick;
  return Math.abs(ticks - Math.round(ticks)) < 1e-6;
}

/** A number printed with no more decimals than the tick has (101.05, not 101.05000000000001). */
function onTickText(value: number, tick: number): string {
  const decimals = (String(tick).split('.')[1] ?? '').length;
  return String(Number(value.toFixed(decimals)));
}

const key = (instrument: SizedInstrument): string => `${instrument.exchange}:${instrument.tradingsymbol}`;

/**
 * Lot and tick rules for one order (placement or modification) in a listed instrument; null when it passes.
 * Quantity must be a multiple of the lot size; the limit price (LIMIT, SL) and the trigger (SL, SL-M) multiples of
 * the tick. Without an order type (a modification changing only some fields) every price given is checked.
 */
export function checkOrderSizing(instrument: SizedInstrument, order: SizedOrder): SizingRefusal | null {
  if (!(instrument.lotSize > 0)) {
    return { code: 'NotTradable', message: `${key(instrument)} cannot be traded (lot size ${instrument.lotSize} in the instrument list: an index)` };
  }
  const { quantity } = order;
  if (quantity !== undefined && quantity % instrument.lotSize !== 0) {
    const lot = instrument.lotSize;
    const below = Math.floor(quantity / lot) * lot;
    const options = [below, below + lot].filter((q) => q > 0).join(' or ');
    return {
      code: 'LotSize',
      message: `quantity ${quantity} is not a multiple of the lot size ${lot} of ${key(instrument)} (${options} would be)`,
    };
  }
  const type = order.order_type;
  const prices: Array<[string, number | undefined]> = [
    ['price', type === undefined || type === 'LIMIT' || type === 'SL' ? order.price : undefined],
    ['trigger price', type === undefined || type === 'SL' || type === 'SL-M' ? order.trigger_price : undefined],
  ];
  for (const [label, value] of prices) {
    if (value === undefined || !(value > 0) || isOnTick(value, instrument.tickSize)) continue;
    const tick = instrument.tickSize;
    const below = Math.floor(value / tick) * tick;
    return {
      code: 'TickSize',
      message: `${label} ${value} is not a multiple of the tick size ${tick} of ${key(instrument)} (${onTickText(below, tick)} or ${onTickText(below + tick, tick)} would be)`,
    };
  }
  return null;
}

/** The freeze quantity that applies to an instrument: derivatives (FUT, CE, PE) whose underlying is in the table. */
export function freezeLimitFor(instrument: Pick<InstrumentInfo, 'name' | 'instrumentType'>, limits: FreezeLimits): number | undefined {
  if (!['FUT', 'CE', 'PE'].includes(instrument.instrumentType)) return undefined;
  return limits[instrument.name.toUpperCase()];
}

/** The largest order the exchange takes: the biggest lot multiple not above the freeze quantity (NIFTY: 1755 = 27 × 65). */
export function largestOrder(lotSize: number, freezeLimit: number): number {
  return Math.floor(freezeLimit / lotSize) * lotSize;
}

/**
 * An order above the largest legal order (a placement that was not sliced, or a modification raising the quantity)
 * is refused here, in the words a trader can act on, instead of by the exchange. Null when it fits or no freeze
 * quantity is known.
 */
export function checkFreezeQuantity(instrument: SizedInstrument, quantity: number | undefined, freezeLimit: number | undefined): SizingRefusal | null {
  if (quantity === undefined || freezeLimit === undefined || !(instrument.lotSize > 0)) return null;
  const largest = largestOrder(instrument.lotSize, freezeLimit);
  if (quantity <= largest) return null;
  const why =
    largest === 0
      ? `the freeze quantity ${freezeLimit} is below one lot (${instrument.lotSize}): no order is possible; check the freeze table`
      : `the largest order the exchange takes is ${largest} (freeze quantity ${freezeLimit})`;
  return { code: 'FreezeLimit', message: `quantity ${quantity} of ${key(instrument)} is above the freeze limit: ${why}` };
}

export interface SliceInput {
  quantity: number;
  lotSize: number;
  /** Undefined: no freeze quantity known for the instrument; the order goes as it is. */
  freezeLimit?: number;
  /** Kite's variety; autoslice is used for `regular` orders only. Default regular. */
  variety?: string;
  /** Allow Kite's autoslice at all (default true). */
  autoslice?: boolean;
  /** Kite's slice cap (default 10). */
  autosliceMaxSlices?: number;
}

export type SlicePlan =
  /** Within the freeze limit (or none known, or an iceberg order, which Kite splits itself): one order. */
  | { path: 'single'; slices: number[]; reason: string }
  /** One placement with `autoslice: true`; Kite answers `{ order_id, children: [...] }`, one child per slice. */
  | { path: 'autoslice'; slices: number[]; largestOrder: number; reason: string }
  /** legwork places the slices itself, each exactly once and paced by the rails. */
  | { path: 'legwork'; slices: number[]; largestOrder: number; reason: string }
  | { path: 'refused'; code: SizingRefusalCode; reason: string };

/**
 * How to send a leg of `quantity` units. Above the largest legal order it must be split into slices, each a lot
 * multiple no larger than that order: the largest orders first, the remainder last (as Kite's autoslice does, so both
 * paths give the same slices). Kite's autoslice (kiteconnect 5.3.0: `placeOrder(variety, { ..., autoslice: true })`)
 * is used when Kite accepts it for the order: a regular order of at least twice the largest order (Kite refused a
 * smaller NIFTY order with "Quantity should be greater than or equal to 3510 for order slicing.") and at most
 * `autosliceMaxSlices` slices. Otherwise legwork slices.
 */
export function planSlices(input: SliceInput): SlicePlan {
  const { quantity, lotSize, freezeLimit } = input;
  if (!(lotSize > 0) || quantity % lotSize !== 0) {
    return { path: 'refused', code: 'LotSize', reason: `quantity ${quantity} is not a multiple of the lot size ${lotSize}` };
  }
  const variety = input.variety ?? 'regular';
  if (freezeLimit === undefined) return { path: 'single', slices: [quantity], reason: 'no freeze quantity known for this instrument' };
  if (variety === 'iceberg') return { path: 'single', slices: [quantity], reason: 'an iceberg order is split by Kite into its own legs' };
  const largest = largestOrder(lotSize, freezeLimit);
  if (largest === 0) {
    return {
      path: 'refused',
      code: 'FreezeLimit',
      reason: `the freeze quantity ${freezeLimit} is below one lot (${lotSize}): no order is possible; check the freeze table`,
    };
  }
  if (quantity <= largest) return { path: 'single', slices: [quantity], reason: `within the largest order of ${largest}` };

  const slices = Array.from({ length: Math.ceil(quantity / largest) }, (_, i) => Math.min(largest, quantity - i * largest));
  const maxSlices = input.autosliceMaxSlices ?? KITE_AUTOSLICE_MAX_SLICES;
  const why = `${slices.length} slices of at most ${largest} (freeze quantity ${freezeLimit})`;
  if (input.autoslice === false) return { path: 'legwork', slices, largestOrder: largest, reason: `${why}; autoslice is switched off` };
  if (variety !== 'regular')
    return { path: 'legwork', slices, largestOrder: largest, reason: `${why}; autoslice is used for regular orders only, this is ${variety}` };
  if (quantity < 2 * largest) return { path: 'legwork', slices, largestOrder: largest, reason: `${why}; Kite's autoslice needs at least ${2 * largest}` };
  if (slices.length > maxSlices)
    return { path: 'legwork', slices, largestOrder: largest, reason: `${why}; Kite's autoslice allows at most ${maxSlices} slices` };
  return { path: 'autoslice', slices, largestOrder: largest, reason: `${why} through Kite's autoslice` };
}
