import { inputError, KiteApiError } from './kite-errors';
import { checkFreezeLimit, checkLotSize, checkTicks, checkTradable, FreezeLimits } from './instrument-rules';
import type { InstrumentRow } from './instruments';
import { formatIst, parseIst } from '../market/ist-time';
import type { TransactionType } from './kite-rows';
import type { OrderBook, BookEvent } from './order-book';
import type { GttInput, GttType } from './gtt-params';

export type GttStatus = 'active' | 'triggered' | 'disabled' | 'expired' | 'cancelled' | 'rejected' | 'deleted';

/** `orders[i].result` once leg i has fired; keys in gtt_get_order.json's order. */
export interface GttOrderResult {
  account_id: string;
  exchange: string;
  tradingsymbol: string;
  validity: 'DAY';
  product: string;
  order_type: string;
  transaction_type: TransactionType;
  quantity: number;
  price: number;
  /** A JSON string, as in the mocks: {"app_id":…,"gtt":<trigger id>}. */
  meta: string;
  timestamp: string;
  /** The last price that fired the trigger. */
  triggered_at: number;
  /** `failed` with an empty order_id when the order could not be placed: `triggered` does not mean an order exists. */
  order_result: { status: 'success' | 'failed'; order_id: string; rejection_reason: string };
}

export interface GttOrder {
  exchange: string;
  tradingsymbol: string;
  product: string;
  order_type: string;
  transaction_type: TransactionType;
  quantity: number;
  price: number;
  result: GttOrderResult | null;
}

/** A GET /gtt/triggers(/:id) object; keys in gtt_get_orders.json's order. */
export interface Trigger {
  id: number;
  user_id: string;
  parent_trigger: null;
  type: GttType;
  created_at: string;
  updated_at: string;
  expires_at: string;
  status: GttStatus;
  condition: { exchange: string; last_price: number; tradingsymbol: string; trigger_values: number[]; instrument_token: number };
  orders: GttOrder[];
  meta: Record<string, unknown> | null;
}

export interface GttBookOptions {
  userId: string;
  /** app_id in each fired order's result meta. */
  appId: number;
  now: () => Date;
  instrument: (exchange: string, tradingsymbol: string) => InstrumentRow | undefined;
  lastPrice: (tradingsymbol: string) => number;
  freezeLimits: FreezeLimits;
  /** Active GTTs per account: Kite's support pages say 250 (older copies 100, a newer report 500). */
  maxActive: number;
  /** A trigger closer than this to the last price (in %) leaves the GTT `disabled`, as Kite does below 0.25%. */
  minTriggerDistancePct: number;
}

/** A leg whose trigger the last price has reached. */
export interface FiredLeg {
  triggerId: number;
  legIndex: number;
  order: GttOrder;
  lastPrice: number;
}

/** Which way the price must move to reach a trigger value. */
type Direction = 'down' | 'up';

interface StoredTrigger {
  trigger: Trigger;
  directions: Direction[];
}

/** Non-active GTTs stay in the list this long ("GTTs in other states (previous 7 days)"); by id they are always found. */
const LIST_DAYS = 7;
const DAY_MS = 86_400_000;
/** Trigger ids count on from the seconds since 2020 × 4, so a restarted simulator does not reuse ids (and they fit an int4). */
const ID_EPOCH_S = 1_577_836_800;
const LIVE: ReadonlySet<GttStatus> = new Set(['active', 'disabled']);
/** Statuses Kite's side sets (the user cannot): what setStatus may simulate. */
const KITE_SIDE_STATUSES: readonly GttStatus[] = ['cancelled', 'rejected', 'disabled', 'expired'];

const notFound = (): KiteApiError => new KiteApiError(404, 'InputException', 'Trigger not found. Check the `trigger_id`.');

/**
 * Kite's GTT book: pure state, no I/O. Validates a GTT against the instrument list and the last price, keeps its
 * status (active → triggered / deleted / expired …), and reports the legs the price has reached (`due`); the
 * caller places those orders and records each outcome (`recordResult`), see fireDueTriggers.
 */
export class GttBook {
  private readonly triggers = new Map<number, StoredTrigger>();
  private nextId: number;

  constructor(private readonly options: GttBookOptions) {
    this.nextId = Math.max(1, Math.floor(options.now().getTime() / 1000) - ID_EPOCH_S) * 4;
  }

  place(input: GttInput): number {
    this.expireDue();
    const active = [...this.triggers.values()].filter(({ trigger }) => trigger.status === 'active').length;
    if (active >= this.options.maxActive) throw inputError(`You can have at most ${this.options.maxActive} active GTTs.`);
    const now = this.options.now();
    const id = ++this.nextId;
    const created = formatIst(now);
    this.triggers.set(id, this.build(id, input, created, now));
    return id;
  }

  /** Kite: modify an active GTT, resending type, condition and orders. A disabled one awaits the user, so it may be fixed too. */
  modify(id: number, input: GttInput): number {
    const stored = this.mustGetLive(id, 'modified');
    this.triggers.set(id, this.build(id, input, stored.trigger.created_at, this.options.now()));
    return id;
  }

  delete(id: number): number {
    const { trigger } = this.mustGetLive(id, 'deleted');
    trigger.status = 'deleted';
    trigger.updated_at = formatIst(this.options.now());
    return id;
  }

  get(id: number): Trigger {
    this.expireDue();
    const stored = this.triggers.get(id);
    if (!stored) throw notFound();
    return structuredClone(stored.trigger);
  }

  /** Active and disabled GTTs, and the others touched in the last 7 days; newest first. */
  list(): Trigger[] {
    this.expireDue();
    const since = this.options.now().getTime() - LIST_DAYS * DAY_MS;
    return [...this.triggers.values()]
      .map(({ trigger }) => trigger)
      .filter((trigger) => LIVE.has(trigger.status) || parseIst(trigger.updated_at).getTime() >= since)
      .reverse()
      .map((trigger) => structuredClone(trigger));
  }

  /** Control: Kite's own actions (cancelled or rejected on a corporate action or lot-size change, disabled, expired). */
  setStatus(id: number, status: Exclude<GttStatus, 'active' | 'triggered' | 'deleted'>): Trigger {
    if (!KITE_SIDE_STATUSES.includes(status)) throw new Error(`status must be one of ${KITE_SIDE_STATUSES.join(', ')}`);
    const stored = this.triggers.get(id);
    if (!stored) throw notFound();
    stored.trigger.status = status;
    stored.trigger.updated_at = formatIst(this.options.now());
    return structuredClone(stored.trigger);
  }

  /**
   * Active GTTs (of one symbol, or all) whose trigger the last price has reached: each is marked `triggered` and its
   * leg returned. A `two-leg` GTT fires the leg of the value reached (index = trigger index); the other lies dormant.
   */
  due(tradingsymbol?: string): FiredLeg[] {
    this.expireDue();
    const fired: FiredLeg[] = [];
    for (const { trigger, directions } of this.triggers.values()) {
      if (trigger.status !== 'active' || (tradingsymbol !== undefined && trigger.condition.tradingsymbol !== tradingsymbol)) continue;
      const ltp = this.options.lastPrice(trigger.condition.tradingsymbol);
      const legIndex = trigger.condition.trigger_values.findIndex((value, i) => (directions[i] === 'down' ? ltp <= value : ltp >= value));
      if (legIndex < 0) continue;
      trigger.status = 'triggered';
      trigger.updated_at = formatIst(this.options.now());
      fired.push({ triggerId: trigger.id, legIndex, order: structuredClone(trigger.orders[legIndex]), lastPrice: ltp });
    }
    return fired;
  }

  /** What became of a fired leg's order: its id, or why it could not be placed. */
  recordResult(fired: FiredLeg, outcome: { orderId: string } | { rejectionReason: string }): void {
    const stored = this.triggers.get(fired.triggerId);
    if (!stored) return;
    const { exchange, tradingsymbol, product, order_type, transaction_type, quantity, price } = fired.order;
    stored.trigger.orders[fired.legIndex].result = {
      account_id: this.options.userId,
      exchange,
      tradingsymbol,
      validity: 'DAY',
      product,
      order_type,
      transaction_type,
      quantity,
      price,
      meta: JSON.stringify({ app_id: this.options.appId, gtt: fired.triggerId }),
      timestamp: formatIst(this.options.now()),
      triggered_at: fired.lastPrice,
      order_result:
        'orderId' in outcome
          ? { status: 'success', order_id: outcome.orderId, rejection_reason: '' }
          : { status: 'failed', order_id: '', rejection_reason: outcome.rejectionReason },
    };
  }

  /** Validate against the instrument and the market, then build the stored trigger. */
  private build(id: number, input: GttInput, createdAt: string, now: Date): StoredTrigger {
    const { condition } = input;
    const instrument = this.options.instrument(condition.exchange, condition.tradingsymbol);
    if (!instrument) throw inputError(`Invalid instrument: ${condition.exchange}:${condition.tradingsymbol} is not in the instrument list.`);
    checkTradable(instrument);
    checkTicks(instrument, ...condition.trigger_values);
    for (const order of input.orders) {
      checkLotSize(instrument, order.quantity);
      checkTicks(instrument, order.price);
      checkFreezeLimit(instrument, order.quantity, this.options.freezeLimits);
    }

    const ltp = this.options.lastPrice(condition.tradingsymbol);
    const values = condition.trigger_values;
    let directions: Direction[];
    if (input.type === 'two-leg') {
      if (!(values[0] < ltp && ltp < values[1])) {
        throw inputError(`For a two-leg GTT the first trigger value must be below the last price (${ltp}) and the second above it.`);
      }
      directions = ['down', 'up'];
    } else {
      if (values[0] === ltp) throw inputError(`The trigger value must differ from the last price (${ltp}).`);
      directions = [values[0] < ltp ? 'down' : 'up'];
    }
    const tooClose = values.some((value) => (Math.abs(value - ltp) / ltp) * 100 < this.options.minTriggerDistancePct);

    return {
      directions,
      trigger: {
        id,
        user_id: this.options.userId,
        parent_trigger: null,
        type: input.type,
        created_at: createdAt,
        updated_at: formatIst(now),
        expires_at: expiresAt(instrument, createdAt),
        status: tooClose ? 'disabled' : 'active',
        condition: {
          exchange: condition.exchange,
          last_price: condition.last_price,
          tradingsymbol: condition.tradingsymbol,
          trigger_values: [...values],
          instrument_token: instrument.instrument_token,
        },
        orders: input.orders.map((order) => ({
          exchange: order.exchange,
          tradingsymbol: order.tradingsymbol,
          product: order.product,
          order_type: order.order_type,
          transaction_type: order.transaction_type,
          quantity: order.quantity,
          price: order.price,
          result: null,
        })),
        meta: {},
      },
    };
  }

  private mustGetLive(id: number, verb: 'modified' | 'deleted'): StoredTrigger {
    this.expireDue();
    const stored = this.triggers.get(id);
    if (!stored) throw notFound();
    if (!LIVE.has(stored.trigger.status)) throw inputError(`Trigger cannot be ${verb} as it is ${stored.trigger.status}.`);
    return stored;
  }

  private expireDue(): void {
    const now = formatIst(this.options.now());
    for (const { trigger } of this.triggers.values()) {
      if (LIVE.has(trigger.status) && trigger.expires_at <= now) {
        trigger.status = 'expired';
        trigger.updated_at = trigger.expires_at;
      }
    }
  }
}

/** F&O GTTs expire with the contract (at the close on expiry day); others a year after placement. */
function expiresAt(instrument: InstrumentRow, createdAt: string): string {
  if (instrument.expiry) return `${instrument.expiry} 15:30:00`;
  const nextYear = `${Number(createdAt.slice(0, 4)) + 1}${createdAt.slice(4)}`;
  return nextYear.slice(5, 10) === '02-29' ? `${nextYear.slice(0, 5)}02-28${nextYear.slice(10)}` : nextYear;
}

/**
 * Fire every due GTT leg (of one symbol, or all) into the order book as a regular order: no tag (kiteconnect drops
 * tags on GTT legs, and staff say tags are not supported), meta {} (whether Kite's order row names the GTT is not
 * known). A placement the book refuses is recorded as a `failed` order_result, as in Kite's own example.
 */
export function fireDueTriggers(gtts: GttBook, book: OrderBook, tradingsymbol?: string): { events: BookEvent[]; orderIds: string[] } {
  const events: BookEvent[] = [];
  const orderIds: string[] = [];
  for (const fired of gtts.due(tradingsymbol)) {
    const { order } = fired;
    try {
      const placed = book.place({
        variety: 'regular',
        exchange: order.exchange,
        tradingsymbol: order.tradingsymbol,
        product: order.product,
        tag: null,
        transaction_type: order.transaction_type,
        order_type: 'LIMIT',
        quantity: order.quantity,
        price: order.price,
        trigger_price: 0,
        disclosed_quantity: 0,
        validity: 'DAY',
        validity_ttl: 0,
        market_protection: 0,
      });
      orderIds.push(placed.orderId);
      events.push(...placed.events);
      gtts.recordResult(fired, { orderId: placed.orderId });
    } catch (error) {
      if (!(error instanceof KiteApiError)) throw error;
      gtts.recordResult(fired, { rejectionReason: error.message });
    }
  }
  return { events, orderIds };
}
