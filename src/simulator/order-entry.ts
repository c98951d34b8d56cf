import { KiteApiError } from './kite-errors';
import { autosliceQuantities, checkLotSize, checkOrderAgainstInstrument, checkTradable, checkFreezeLimit, FreezeLimits } from './instrument-rules';
import { InstrumentList, InstrumentRow } from './instruments';
import { TERMINAL_STATUSES } from './kite-rows';
import { OrderBook, BookEvent } from './order-book';
import { FormFields, parseModifyParams, parsePlaceParams, ParamRules, PlaceOrderInput } from './order-params';

export interface OrderEntryOptions extends ParamRules {
  freezeLimits: FreezeLimits;
  autosliceMaxSlices: number;
}

/** One child of an autoslice response (mock autoslice_response.json): an order id, or the slice's own error. */
export type AutosliceChild = { order_id: string } | { error: { code: number; error_type: string; message: string; data: null } };

export interface AutosliceResponse {
  order_id: string;
  children: AutosliceChild[];
}

/**
 * POST /orders/:variety and PUT /orders/:variety/:id checks that depend on the instrument list: lot size, tick size,
 * freeze limit and `autoslice`. Symbols not in the list are placed exactly as before (no lot, freeze or slicing
 * rules). Also remembers each order's `algo_id`, which Kite does not echo back in the order row.
 */
export class OrderEntry {
  private readonly algoIds = new Map<string, string>();
  /** One-shot fault: slice indexes of the next autoslice placement that fail with a MarginException. */
  private failingSlices = new Set<number>();

  constructor(
    private readonly book: OrderBook,
    private readonly instruments: InstrumentList,
    private readonly options: OrderEntryOptions,
  ) {}

  /** Validate and place; returns the response data and the book events (the caller publishes them). */
  place(variety: string, body: FormFields): { data: { order_id: string } | AutosliceResponse; events: BookEvent[] } {
    const instrument = body.exchange && body.tradingsymbol ? this.instruments.find(body.exchange, body.tradingsymbol) : undefined;
    if (instrument) checkTradable(instrument);
    const input = parsePlaceParams(variety, body, instrument ? { ...this.options, tickSize: instrument.tick_size } : this.options);
    const algoId = body.algo_id?.trim() || undefined;
    if (instrument && body.autoslice === 'true') return this.placeAutoslice(instrument, input, algoId);
    if (instrument) checkOrderAgainstInstrument(instrument, input, this.options.freezeLimits);
    const { orderId, events } = this.book.place(input);
    if (algoId) this.algoIds.set(orderId, algoId);
    return { data: { order_id: orderId }, events };
  }

  /** Lot, tick and freeze rules for a modification of an order in a listed instrument. */
  checkModify(orderId: string, body: FormFields): void {
    const row = this.book.get(orderId);
    const instrument = row && this.instruments.find(row.exchange, row.tradingsymbol);
    if (!row || !instrument || TERMINAL_STATUSES.has(row.status)) return; // the book answers for unknown and closed orders
    const changes = parseModifyParams(body);
    checkOrderAgainstInstrument(
      instrument,
      { quantity: changes.quantity ?? row.quantity, price: changes.price ?? 0, trigger_price: changes.trigger_price ?? 0 },
      this.options.freezeLimits,
    );
  }

  /** The `algo_id` the order was placed with, if any. */
  algoId(orderId: string): string | undefined {
    return this.algoIds.get(orderId);
  }

  /** Make these slices (0-based) of the next autoslice placement fail as Kite's mock shows: a MarginException child. */
  failNextAutoslices(sliceIndexes: number[]): void {
    this.failingSlices = new Set(sliceIndexes);
  }

  /**
   * Kite's v2 autoslice (kiteconnect-mocks autoslice_response.json, live since 2026-03-27): a parent id and one child per slice. The parent id names no order in
   * the book (that it is itself a slice is not stated anywhere); every slice carries `tags: ["autoslice",
   * "autoslice:<parent>"]` after the caller's own tag, if any.
   */
  private placeAutoslice(instrument: InstrumentRow, input: PlaceOrderInput, algoId: string | undefined): { data: AutosliceResponse; events: BookEvent[] } {
    checkLotSize(instrument, input.quantity);
    const quantities = autosliceQuantities(instrument, input.quantity, this.options.freezeLimits, this.options.autosliceMaxSlices);
    const parent = this.book.reserveOrderId();
    const tags = [...(input.tag === null ? [] : [input.tag]), 'autoslice', `autoslice:${parent}`];
    const failing = this.failingSlices;
    this.failingSlices = new Set();
    const children: AutosliceChild[] = [];
    const events: BookEvent[] = [];
    quantities.forEach((quantity, index) => {
      if (failing.has(index)) return children.push({ error: marginError(input, quantity) });
      checkFreezeLimit(instrument, quantity, this.options.freezeLimits); // holds by construction; a guard against future edits
      try {
        const placed = this.book.place({ ...input, quantity, tags });
        if (algoId) this.algoIds.set(placed.orderId, algoId);
        events.push(...placed.events);
        children.push({ order_id: placed.orderId });
      } catch (error) {
        if (!(error instanceof KiteApiError)) throw error;
        children.push({ error: { code: error.httpStatus, error_type: error.errorType, message: error.message, data: null } });
      }
    });
    return { data: { order_id: parent, children }, events };
  }
}

function marginError(input: PlaceOrderInput, quantity: number): { code: number; error_type: string; message: string; data: null } {
  const required = Math.round(quantity * Math.max(input.price, 1) * 100) / 100;
  return {
    code: 400,
    error_type: 'MarginException',
    message: `Insufficient funds. Required margin is ${required.toFixed(2)} but available margin is ${(required / 2).toFixed(2)}.`,
    data: null,
  };
}
