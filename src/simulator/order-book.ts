import { inputError, orderError, orderNotFound } from './kite-errors';
import { SimulatedOrder, OrderStatus, PostbackStatus, TERMINAL_STATUSES, TradeRow } from './kite-rows';
import { ModifyOrderInput, OrderShape, ParamRules, PlaceOrderInput, checkOrderShape } from './order-params';
import { formatIst, istCompactDate, istMillisOfDay } from '../market/ist-time';

export interface OrderBookOptions extends ParamRules {
  userId: string;
  /** RMS: an accepted order above this quantity goes REJECTED. */
  maxQuantity: number;
  /** Each matching pass fills at most ceil(quantity / partialFillSteps); 1 = fill whole orders at once. */
  partialFillSteps: number;
  /** Kite allows 25 modifications per order. */
  maxModifications: number;
  now: () => Date;
  lastPrice: (tradingsymbol: string) => number;
  instrumentToken: (exchange: string, tradingsymbol: string) => number;
}

/** A change worth telling the outside world about; `kind` is the postback status word it maps to. */
export interface BookEvent {
  kind: PostbackStatus;
  order: SimulatedOrder;
  trade?: TradeRow;
}

interface BookOrder {
  row: SimulatedOrder;
  history: SimulatedOrder[];
  trades: TradeRow[];
  /** Stop orders sit in TRIGGER PENDING until the last price crosses trigger_price. */
  triggered: boolean;
  modifications: number;
}

const isStop = (type: string): boolean => type === 'SL' || type === 'SL-M';
const isTerminal = (row: SimulatedOrder): boolean => TERMINAL_STATUSES.has(row.status);
const round4 = (value: number): number => Math.round(value * 1e4) / 1e4;

/**
 * The matching engine: pure state, no I/O or timers. Prices and the clock come in through options; every mutating
 * call returns the events it caused, in order, and the caller decides what to do with them (postbacks).
 */
export class OrderBook {
  maxQuantity: number;
  /** Symbols whose orders RMS rejects, with an optional custom status_message. */
  readonly rejectedSymbols = new Map<string, string | undefined>();
  /** RMS rejects the next `count` orders placed, whatever their symbol (then stops). */
  readonly rejectNext: { count: number; message: string | undefined } = { count: 0, message: undefined };

  private readonly orders = new Map<string, BookOrder>();
  private readonly allTrades: TradeRow[] = [];
  /** Ids continue from the time of day we started, so a restart later the same day does not reuse them. */
  private readonly idBase: number;
  private orderSeq = 0;
  private tradeSeq = 0;

  constructor(private readonly options: OrderBookOptions) {
    this.maxQuantity = options.maxQuantity;
    this.idBase = istMillisOfDay(options.now()) * 100;
  }

  place(input: PlaceOrderInput): { orderId: string; events: BookEvent[] } {
    const shape = checkOrderShape(input, this.options);
    if (isStop(shape.order_type)) this.checkTriggerAgainstLtp(input.tradingsymbol, shape);

    const now = this.options.now();
    const ts = formatIst(now);
    const seq = this.idBase + ++this.orderSeq;
    const orderId = orderIdFor(now, seq);
    const row: SimulatedOrder = {
      placed_by: this.options.userId,
      order_id: orderId,
      exchange_order_id: null,
      parent_order_id: null,
      status: 'PUT ORDER REQ RECEIVED',
      status_message: null,
      status_message_raw: null,
      order_timestamp: ts,
      exchange_update_timestamp: null,
      exchange_timestamp: null,
      variety: input.variety,
      modified: false,
      exchange: input.exchange,
      tradingsymbol: input.tradingsymbol,
      instrument_token: this.options.instrumentToken(input.exchange, input.tradingsymbol),
      order_type: shape.order_type,
      transaction_type: shape.transaction_type,
      validity: shape.validity,
      validity_ttl: shape.validity_ttl,
      product: input.product,
      quantity: shape.quantity,
      disclosed_quantity: shape.disclosed_quantity,
      price: shape.price,
      trigger_price: shape.trigger_price,
      average_price: 0,
      filled_quantity: 0,
      pending_quantity: shape.quantity,
      cancelled_quantity: 0,
      market_protection: shape.market_protection,
      meta: {},
      tag: input.tag,
      tags: input.tags ?? (input.tag === null ? [] : [input.tag]),
      guid: `01X${seq.toString(36)}`,
    };
    const order: BookOrder = { row, history: [structuredClone(row)], trades: [], triggered: !isStop(row.order_type), modifications: 0 };
    this.orders.set(orderId, order);

    const events: BookEvent[] = [];
    this.transition(order, ts, { status: 'VALIDATION PENDING' });
    const rejection = this.rmsRejection(input);
    if (rejection) {
      // Accepted by the API (the caller gets an order_id) but refused by RMS, as Kite does: no exchange id, nothing pending.
      const rejected = this.transition(order, ts, { status: 'REJECTED', ...rejection, pending_quantity: 0 });
      events.push({ kind: 'REJECTED', order: rejected });
      return { orderId, events };
    }
    this.transition(order, ts, { status: 'OPEN PENDING' });
    const opened = this.transition(order, ts, {
      status: order.triggered ? 'OPEN' : 'TRIGGER PENDING',
      exchange_order_id: '13' + String(seq).padStart(14, '0'),
      exchange_timestamp: ts,
    });
    events.push({ kind: opened.status as PostbackStatus, order: opened });
    this.matchOrder(order, ts, true, events);
    return { orderId, events };
  }

  /** A fresh id from the book's sequence that names no order: the parent id of an autoslice placement. */
  reserveOrderId(): string {
    return orderIdFor(this.options.now(), this.idBase + ++this.orderSeq);
  }

  modify(orderId: string, changes: ModifyOrderInput): BookEvent[] {
    const order = this.mustGet(orderId);
    this.assertLive(order, 'modified');
    if (order.modifications >= this.options.maxModifications) throw inputError('Maximum allowed order modifications exceeded.');
    const { row } = order;
    const shape = checkOrderShape({ ...shapeOf(row), ...changes }, this.options);
    if (shape.quantity <= row.filled_quantity) throw inputError('Quantity should be greater than the filled quantity.');
    if (shape.quantity > this.maxQuantity) throw inputError(quantityRejection(shape.quantity, this.maxQuantity, this.options.userId).status_message);
    // Switching to a stop type re-arms the trigger; a stop that already fired stays live.
    const triggered = !isStop(shape.order_type) || (isStop(row.order_type) && order.triggered);
    if (!triggered) this.checkTriggerAgainstLtp(row.tradingsymbol, shape);

    // History as in order_info.json: the new values only show on the row after MODIFIED.
    const ts = formatIst(this.options.now());
    this.transition(order, ts, { status: 'MODIFY VALIDATION PENDING', order_timestamp: ts });
    this.transition(order, ts, { status: 'MODIFY PENDING' });
    this.transition(order, ts, { status: 'MODIFIED', exchange_timestamp: ts });
    order.triggered = triggered;
    order.modifications++;
    const updated = this.transition(order, ts, {
      ...shape,
      status: triggered ? 'OPEN' : 'TRIGGER PENDING',
      modified: true,
      pending_quantity: shape.quantity - row.filled_quantity,
    });
    const events: BookEvent[] = [{ kind: 'UPDATE', order: updated }];
    this.matchOrder(order, ts, true, events);
    return events;
  }

  cancel(orderId: string): BookEvent[] {
    const order = this.mustGet(orderId);
    this.assertLive(order, 'cancelled');
    const ts = formatIst(this.options.now());
    this.transition(order, ts, { status: 'CANCEL PENDING' });
    const events: BookEvent[] = [];
    this.cancelRemainder(order, ts, events);
    return events;
  }

  /** Run every live order (of one symbol, or all) against the current last price, as resting orders. */
  match(tradingsymbol?: string): BookEvent[] {
    const ts = formatIst(this.options.now());
    const events: BookEvent[] = [];
    for (const order of this.orders.values()) {
      if (tradingsymbol === undefined || order.row.tradingsymbol === tradingsymbol) this.matchOrder(order, ts, false, events);
    }
    return events;
  }

  /** Control: force a fill (e.g. a partial fill) regardless of price; a pending stop counts as triggered. */
  fill(orderId: string, quantity: number, price?: number): BookEvent[] {
    const order = this.mustGet(orderId);
    const { row } = order;
    if (isTerminal(row)) throw new Error(`order ${orderId} is already ${row.status}`);
    if (!Number.isInteger(quantity) || quantity <= 0 || quantity > row.pending_quantity) {
      throw new Error(`fill quantity must be an integer in 1..${row.pending_quantity}, got ${quantity}`);
    }
    const ts = formatIst(this.options.now());
    const events: BookEvent[] = [];
    if (!order.triggered) {
      order.triggered = true;
      events.push({ kind: 'OPEN', order: this.transition(order, ts, { status: 'OPEN' }) });
    }
    this.applyFill(order, quantity, price ?? (row.price > 0 ? row.price : this.options.lastPrice(row.tradingsymbol)), ts, events);
    return events;
  }

  /** Control: the exchange/RMS rejects a live order. */
  reject(orderId: string, message: string): BookEvent[] {
    const order = this.mustGet(orderId);
    if (isTerminal(order.row)) throw new Error(`order ${orderId} is already ${order.row.status}`);
    const ts = formatIst(this.options.now());
    const rejected = this.transition(order, ts, { status: 'REJECTED', status_message: message, status_message_raw: message, pending_quantity: 0 });
    return [{ kind: 'REJECTED', order: rejected }];
  }

  get(orderId: string): SimulatedOrder | undefined {
    const order = this.orders.get(orderId);
    return order && structuredClone(order.row);
  }

  history(orderId: string): SimulatedOrder[] | undefined {
    return this.orders.get(orderId)?.history.map((row) => structuredClone(row));
  }

  list(): SimulatedOrder[] {
    return [...this.orders.values()].map((order) => structuredClone(order.row));
  }

  trades(orderId?: string): TradeRow[] {
    const trades = orderId === undefined ? this.allTrades : (this.orders.get(orderId)?.trades ?? []);
    return trades.map((trade) => ({ ...trade }));
  }

  has(orderId: string): boolean {
    return this.orders.has(orderId);
  }

  /**
   * Try to fill one order. `aggressive` = the order just arrived (placement/modification), so it takes the last price;
   * a resting limit order that the price walks through is hit at its own limit, as on an exchange.
   */
  private matchOrder(order: BookOrder, ts: string, aggressive: boolean, events: BookEvent[]): void {
    const { row } = order;
    if (isTerminal(row)) return;
    const ltp = this.options.lastPrice(row.tradingsymbol);
    let arriving = aggressive;
    if (!order.triggered) {
      const hit = row.transaction_type === 'BUY' ? ltp >= row.trigger_price : ltp <= row.trigger_price;
      if (!hit) return;
      order.triggered = true;
      arriving = true;
      events.push({ kind: 'OPEN', order: this.transition(order, ts, { status: 'OPEN' }) });
    }
    const price = fillPrice(row, ltp, arriving);
    if (price !== undefined) {
      const quantity = Math.min(row.pending_quantity, Math.ceil(row.quantity / this.options.partialFillSteps));
      this.applyFill(order, quantity, price, ts, events);
    }
    // IOC: whatever did not fill on arrival is cancelled by the exchange.
    if (row.validity === 'IOC' && arriving && !isTerminal(row)) this.cancelRemainder(order, ts, events);
  }

  private applyFill(order: BookOrder, quantity: number, price: number, ts: string, events: BookEvent[]): void {
    const { row } = order;
    const filled = row.filled_quantity + quantity;
    const pending = row.quantity - filled;
    const trade: TradeRow = {
      trade_id: String(this.idBase + ++this.tradeSeq).padStart(10, '0'),
      order_id: row.order_id,
      exchange: row.exchange,
      tradingsymbol: row.tradingsymbol,
      instrument_token: row.instrument_token,
      product: row.product,
      average_price: price,
      quantity,
      exchange_order_id: row.exchange_order_id,
      transaction_type: row.transaction_type,
      fill_timestamp: ts,
      order_timestamp: row.order_timestamp.slice(11),
      exchange_timestamp: ts,
    };
    order.trades.push(trade);
    this.allTrades.push(trade);
    const snapshot = this.transition(order, ts, {
      status: pending === 0 ? 'COMPLETE' : 'OPEN',
      filled_quantity: filled,
      pending_quantity: pending,
      average_price: round4((row.average_price * row.filled_quantity + price * quantity) / filled),
      exchange_timestamp: ts,
    });
    events.push({ kind: pending === 0 ? 'COMPLETE' : 'UPDATE', order: snapshot, trade: { ...trade } });
  }

  /** As in orders.json, a CANCELLED row keeps pending_quantity and reports the unfilled rest as cancelled_quantity. */
  private cancelRemainder(order: BookOrder, ts: string, events: BookEvent[]): void {
    const cancelled = this.transition(order, ts, { status: 'CANCELLED', cancelled_quantity: order.row.quantity - order.row.filled_quantity });
    events.push({ kind: 'CANCELLED', order: cancelled });
  }

  /** Apply a change, stamp it, and append the resulting row to the order's history; returns that row. */
  private transition(order: BookOrder, ts: string, patch: Partial<SimulatedOrder> & { status: OrderStatus }): SimulatedOrder {
    Object.assign(order.row, patch);
    if (order.row.exchange_order_id !== null) order.row.exchange_update_timestamp = ts;
    const snapshot = structuredClone(order.row);
    order.history.push(snapshot);
    return structuredClone(snapshot);
  }

  private rmsRejection(input: PlaceOrderInput): Pick<SimulatedOrder, 'status_message' | 'status_message_raw'> | undefined {
    const once = this.rejectNext.count > 0;
    if (once) this.rejectNext.count--;
    if (once || this.rejectedSymbols.has(input.tradingsymbol)) {
      const custom = once ? this.rejectNext.message : this.rejectedSymbols.get(input.tradingsymbol);
      const message = custom ?? `Trading in ${input.exchange}:${input.tradingsymbol} is blocked by RMS.`;
      return {
        status_message: message,
        status_message_raw: `RMS:Blocked for ${input.exchange}:${input.tradingsymbol} for entity account-${this.options.userId} across exchange across segment across product`,
      };
    }
    if (input.quantity > this.maxQuantity) return quantityRejection(input.quantity, this.maxQuantity, this.options.userId);
    return undefined;
  }

  /** Kite refuses (400, no order) a stop order whose trigger has already been crossed. */
  private checkTriggerAgainstLtp(tradingsymbol: string, shape: OrderShape): void {
    const ltp = this.options.lastPrice(tradingsymbol);
    if (shape.transaction_type === 'BUY' && shape.trigger_price <= ltp) {
      throw inputError('Trigger price for stoploss buy orders should be higher than the last traded price.');
    }
    if (shape.transaction_type === 'SELL' && shape.trigger_price >= ltp) {
      throw inputError('Trigger price for stoploss sell orders should be lower than the last traded price.');
    }
  }

  private mustGet(orderId: string): BookOrder {
    const order = this.orders.get(orderId);
    if (!order) throw orderNotFound();
    return order;
  }

  private assertLive(order: BookOrder, verb: 'modified' | 'cancelled'): void {
    if (isTerminal(order.row)) throw orderError(`Order cannot be ${verb} as it is already ${order.row.status.toLowerCase()}.`);
  }
}

/** 19 digits: beyond Number.MAX_SAFE_INTEGER, as Kite's ids are. */
const orderIdFor = (now: Date, seq: number): string => istCompactDate(now) + String(seq).padStart(13, '0');

function shapeOf(row: SimulatedOrder): OrderShape {
  const { transaction_type, order_type, quantity, price, trigger_price, disclosed_quantity, validity, validity_ttl, market_protection } = row;
  return { transaction_type, order_type, quantity, price, trigger_price, disclosed_quantity, validity, validity_ttl, market_protection };
}

/** The price a live order fills at now, or undefined if the last price does not reach its limit. */
function fillPrice(row: SimulatedOrder, ltp: number, arriving: boolean): number | undefined {
  if (row.order_type === 'MARKET' || row.order_type === 'SL-M') return ltp;
  const crosses = row.transaction_type === 'BUY' ? ltp <= row.price : ltp >= row.price;
  if (!crosses) return undefined;
  return arriving ? ltp : row.price;
}

function quantityRejection(quantity: number, max: number, userId: string): { status_message: string; status_message_raw: string } {
  return {
    status_message: `Order quantity ${quantity} exceeds the maximum allowed quantity of ${max} per order. Split the order into smaller quantities.`,
    status_message_raw: `RMS:Rule: Check order quantity ,Order Quantity: ${quantity} , Maximum Allowed Quantity: ${max} for entity account-${userId} across exchange across segment across product`,
  };
}
