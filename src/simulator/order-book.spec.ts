import { KiteApiError } from './kite-errors';
import { OrderBook, OrderBookOptions } from './order-book';
import type { PlaceOrderInput } from './order-params';

const T0 = new Date('2026-03-02T04:00:00Z'); // 09:30:00 IST

function setup(overrides: Partial<OrderBookOptions> = {}) {
  const prices = new Map<string, number>([['SBIN', 470]]);
  let now = T0;
  const book = new OrderBook({
    userId: 'AB1234',
    tickSize: 0.05,
    requireMarketProtection: false,
    maxQuantity: 10_000,
    partialFillSteps: 1,
    maxModifications: 25,
    now: () => now,
    lastPrice: (symbol) => prices.get(symbol) ?? 100,
    instrumentToken: () => 779521,
    ...overrides,
  });
  return {
    book,
    /** Move the price and match that symbol's resting orders, as the simulator does. */
    move: (price: number, symbol = 'SBIN') => {
      prices.set(symbol, price);
      return book.match(symbol);
    },
    advance: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)),
  };
}

const order = (overrides: Partial<PlaceOrderInput> = {}): PlaceOrderInput => ({
  variety: 'regular',
  exchange: 'NSE',
  tradingsymbol: 'SBIN',
  product: 'CNC',
  tag: null,
  transaction_type: 'BUY',
  order_type: 'LIMIT',
  quantity: 10,
  price: 469,
  trigger_price: 0,
  disclosed_quantity: 0,
  validity: 'DAY',
  validity_ttl: 0,
  market_protection: 0,
  ...overrides,
});

const statuses = (book: OrderBook, id: string) => book.history(id)!.map((row) => row.status);
const kinds = (events: Array<{ kind: string }>) => events.map((event) => event.kind);

function kiteError(fn: () => unknown): KiteApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof KiteApiError) return error;
    throw error;
  }
  throw new Error('expected a KiteApiError');
}

describe('OrderBook', () => {
  it('opens a resting LIMIT order through Kite’s interim statuses, with string ids and IST timestamps', () => {
    const { book } = setup();
    const { orderId, events } = book.place(order({ tag: 'leg1' }));

    expect(orderId).toMatch(/^260302\d{13}$/);
    expect(Number.isSafeInteger(Number(orderId))).toBe(false);
    expect(statuses(book, orderId)).toEqual(['PUT ORDER REQ RECEIVED', 'VALIDATION PENDING', 'OPEN PENDING', 'OPEN']);
    expect(kinds(events)).toEqual(['OPEN']);
    const history = book.history(orderId)!;
    expect(history.slice(0, 3).every((row) => row.exchange_order_id === null && row.exchange_timestamp === null)).toBe(true);
    expect(book.get(orderId)).toMatchObject({
      order_timestamp: '2026-03-02 09:30:00',
      exchange_timestamp: '2026-03-02 09:30:00',
      exchange_update_timestamp: '2026-03-02 09:30:00',
      exchange_order_id: expect.stringMatching(/^\d{16}$/),
      pending_quantity: 10,
      filled_quantity: 0,
      tag: 'leg1',
      tags: ['leg1'],
    });
  });

  it('fills a MARKET order at once at the last price', () => {
    const { book } = setup();
    const { orderId, events } = book.place(order({ order_type: 'MARKET', price: 0 }));
    expect(kinds(events)).toEqual(['OPEN', 'COMPLETE']);
    expect(book.get(orderId)).toMatchObject({ status: 'COMPLETE', average_price: 470, filled_quantity: 10, pending_quantity: 0 });
    expect(book.trades(orderId)).toEqual([
      expect.objectContaining({ order_id: orderId, quantity: 10, average_price: 470, order_timestamp: '09:30:00', fill_timestamp: '2026-03-02 09:30:00' }),
    ]);
  });

  it('fills a resting LIMIT buy at its limit once the price reaches it, a marketable one at the last price', () => {
    const { book, move } = setup();
    const resting = book.place(order({ price: 469 })).orderId;
    expect(move(469.5)).toEqual([]);
    expect(kinds(move(468.9))).toEqual(['COMPLETE']);
    expect(book.get(resting)).toMatchObject({ status: 'COMPLETE', average_price: 469 });

    const marketable = book.place(order({ price: 475 })).orderId;
    expect(book.get(marketable)).toMatchObject({ status: 'COMPLETE', average_price: 468.9 });
  });

  it('fills a LIMIT sell when the price rises to the limit', () => {
    const { book, move } = setup();
    const id = book.place(order({ transaction_type: 'SELL', price: 471 })).orderId;
    move(470.95);
    expect(book.get(id)!.status).toBe('OPEN');
    move(471.1);
    expect(book.get(id)).toMatchObject({ status: 'COMPLETE', average_price: 471 });
  });

  it('fills in partial slices with trades and a volume-weighted average', () => {
    const { book, move } = setup({ partialFillSteps: 3 });
    const { orderId, events } = book.place(order({ order_type: 'MARKET', price: 0 }));
    expect(kinds(events)).toEqual(['OPEN', 'UPDATE']);
    expect(book.get(orderId)).toMatchObject({ status: 'OPEN', filled_quantity: 4, pending_quantity: 6 });
    expect(kinds(move(471))).toEqual(['UPDATE']);
    expect(kinds(move(472))).toEqual(['COMPLETE']);

    expect(book.trades(orderId).map((trade) => [trade.quantity, trade.average_price])).toEqual([
      [4, 470],
      [4, 471],
      [2, 472],
    ]);
    expect(new Set(book.trades(orderId).map((trade) => trade.trade_id)).size).toBe(3);
    expect(book.get(orderId)).toMatchObject({ average_price: 470.8, filled_quantity: 10, pending_quantity: 0 });
  });

  it('holds SL orders in TRIGGER PENDING until the trigger is crossed', () => {
    const { book, move } = setup();
    const buy = book.place(order({ order_type: 'SL', trigger_price: 471, price: 471.5 }));
    expect(kinds(buy.events)).toEqual(['TRIGGER PENDING']);
    expect(move(470.5)).toEqual([]);
    expect(kinds(move(471.2))).toEqual(['OPEN', 'COMPLETE']);
    expect(book.get(buy.orderId)).toMatchObject({ average_price: 471.2 });
    expect(statuses(book, buy.orderId).slice(-3)).toEqual(['TRIGGER PENDING', 'OPEN', 'COMPLETE']);

    const sell = book.place(order({ transaction_type: 'SELL', order_type: 'SL-M', price: 0, trigger_price: 470 })).orderId;
    move(470.1);
    expect(book.get(sell)!.status).toBe('TRIGGER PENDING');
    move(469.8);
    expect(book.get(sell)).toMatchObject({ status: 'COMPLETE', average_price: 469.8 });
  });

  it('refuses (400, no order) a stop whose trigger the price has already crossed', () => {
    const { book } = setup();
    const error = kiteError(() => book.place(order({ order_type: 'SL-M', price: 0, trigger_price: 469 })));
    expect(error).toMatchObject({ httpStatus: 400, errorType: 'InputException' });
    expect(error.message).toMatch(/Trigger price for stoploss buy orders should be higher than the last traded price/);
    expect(book.list()).toEqual([]);
  });

  it('accepts, then RMS-rejects, orders over maxQuantity or in a blocked symbol', () => {
    const { book } = setup({ maxQuantity: 100 });
    const { orderId, events } = book.place(order({ quantity: 101 }));
    expect(kinds(events)).toEqual(['REJECTED']);
    expect(statuses(book, orderId)).toEqual(['PUT ORDER REQ RECEIVED', 'VALIDATION PENDING', 'REJECTED']);
    expect(book.get(orderId)).toMatchObject({
      exchange_order_id: null,
      pending_quantity: 0,
      status_message: expect.stringContaining('101'),
      status_message_raw: expect.stringMatching(/^RMS:Rule: Check order quantity/),
    });

    book.rejectedSymbols.set('YESBANK', 'Blocked for the simulation');
    const blocked = book.place(order({ tradingsymbol: 'YESBANK', price: 20 })).orderId;
    expect(book.get(blocked)).toMatchObject({ status: 'REJECTED', status_message: 'Blocked for the simulation' });
  });

  it('records a modification like order_info.json and matches the new price', () => {
    const { book, advance } = setup();
    const { orderId } = book.place(order({ price: 468 }));
    advance(84);
    const events = book.modify(orderId, { price: 468.5, quantity: 12 });
    expect(kinds(events)).toEqual(['UPDATE']);
    const history = book.history(orderId)!;
    expect(history.slice(-4).map((row) => [row.status, row.price])).toEqual([
      ['MODIFY VALIDATION PENDING', 468],
      ['MODIFY PENDING', 468],
      ['MODIFIED', 468],
      ['OPEN', 468.5],
    ]);
    expect(book.get(orderId)).toMatchObject({ modified: true, quantity: 12, pending_quantity: 12, order_timestamp: '2026-03-02 09:31:24' });

    expect(kinds(book.modify(orderId, { price: 470 }))).toEqual(['UPDATE', 'COMPLETE']);
  });

  it('refuses to modify or cancel a terminal order, and unknown ids with 404', () => {
    const { book } = setup();
    const { orderId } = book.place(order({ order_type: 'MARKET', price: 0 }));
    expect(kiteError(() => book.modify(orderId, { quantity: 5 }))).toMatchObject({
      httpStatus: 400,
      errorType: 'OrderException',
      message: 'Order cannot be modified as it is already complete.',
    });
    expect(kiteError(() => book.cancel(orderId))).toMatchObject({ httpStatus: 400, errorType: 'OrderException' });
    expect(kiteError(() => book.cancel('1234567890123456789'))).toMatchObject({ httpStatus: 404 });
  });

  it('checks modifications: quantity above filled, shape rules, the 25-modification limit', () => {
    const { book } = setup({ maxModifications: 2 });
    const { orderId } = book.place(order({ price: 468 }));
    book.fill(orderId, 4);
    expect(kiteError(() => book.modify(orderId, { quantity: 4 })).errorType).toBe('InputException');
    expect(kiteError(() => book.modify(orderId, { order_type: 'SL' })).message).toBe('Invalid `trigger_price`.');
    book.modify(orderId, { price: 467 });
    book.modify(orderId, { price: 466 });
    expect(kiteError(() => book.modify(orderId, { price: 465 })).message).toMatch(/modifications/);
  });

  it('cancels the unfilled rest; the CANCELLED row keeps pending_quantity as orders.json does', () => {
    const { book } = setup();
    const { orderId } = book.place(order({ price: 468 }));
    expect(kinds(book.fill(orderId, 3))).toEqual(['UPDATE']);
    expect(kinds(book.cancel(orderId))).toEqual(['CANCELLED']);
    expect(statuses(book, orderId).slice(-2)).toEqual(['CANCEL PENDING', 'CANCELLED']);
    expect(book.get(orderId)).toMatchObject({ filled_quantity: 3, cancelled_quantity: 7, pending_quantity: 7, average_price: 468 });
  });

  it('cancels what an IOC order could not fill on arrival', () => {
    const { book } = setup();
    const { orderId, events } = book.place(order({ validity: 'IOC', price: 465 }));
    expect(kinds(events)).toEqual(['OPEN', 'CANCELLED']);
    expect(book.get(orderId)).toMatchObject({ status: 'CANCELLED', cancelled_quantity: 10 });
  });

  it('forces fills and rejections through the control methods', () => {
    const { book } = setup();
    const stop = book.place(order({ order_type: 'SL', trigger_price: 475, price: 476 })).orderId;
    expect(kinds(book.fill(stop, 10, 475.5))).toEqual(['OPEN', 'COMPLETE']);
    expect(() => book.fill(stop, 1)).toThrow(/already COMPLETE/);

    const open = book.place(order({ price: 468 })).orderId;
    expect(() => book.fill(open, 11)).toThrow(/1\.\.10/);
    expect(kinds(book.reject(open, 'Exchange rejected'))).toEqual(['REJECTED']);
    expect(book.get(open)).toMatchObject({ status: 'REJECTED', status_message: 'Exchange rejected', pending_quantity: 0 });
  });
});
