import type { LegFacts } from '../broker/leg-state.machine';
import type { KiteClient } from '../kite-session/kite-client.provider';
import { parseIst } from '../market/ist-time';

/**
 * A GTT's life, decided here (pure: no I/O, no clock). Placing it is exactly-once like a leg (leg-state.machine.ts):
 *
 *   placing ──trigger id──▶ <Kite's status>          placing ──refused──▶ failed
 *      │  └──unclear──▶ unknown ──found at Kite──▶ <Kite's status>
 *      │                   ├──absent after the settle window, attempts left──▶ placing (sent again)
 *      │                   └──absent after the window, none left──────────────▶ failed
 *      └──claim expired (its sender died)──▶ unknown
 *
 * Kite's statuses (docs, kite-facts-2 §2): active; triggered (an order was attempted: see each order's result);
 * disabled ("action is expected from the user", e.g. a trigger within 0.25% of the price); expired; cancelled and
 * rejected (by Kite's systems: delisting, corporate actions, an index F&O lot-size change); deleted (by the user).
 * A GTT has no tag, so "found at Kite" means a GTT in getGTTs() with the same type, condition and orders, created
 * after ours was recorded, that no other GTT of ours is linked to.
 */
export const GTT_PLACEMENT_STATUSES = ['placing', 'unknown', 'failed'] as const;
export const KITE_GTT_STATUSES = ['active', 'triggered', 'disabled', 'expired', 'cancelled', 'rejected', 'deleted'] as const;
export type KiteGttStatus = (typeof KITE_GTT_STATUSES)[number];
export type GttStatus = (typeof GTT_PLACEMENT_STATUSES)[number] | KiteGttStatus;

/** At Kite and still able to fire: may be modified or deleted. */
export const LIVE_GTT_STATUSES: readonly GttStatus[] = ['active', 'disabled'];
/** Placement not settled yet: it may or may not be at Kite. */
export const UNSETTLED_GTT_STATUSES: readonly GttStatus[] = ['placing', 'unknown'];

export const isLiveGtt = (status: string): boolean => (LIVE_GTT_STATUSES as readonly string[]).includes(status);
export const isKiteGttStatus = (status: string): status is KiteGttStatus => (KITE_GTT_STATUSES as readonly string[]).includes(status);

/** Statuses Kite sets on its own that leave a position without the protection the GTT gave. */
export function protectionLost(status: KiteGttStatus): boolean {
  return status === 'cancelled' || status === 'rejected' || status === 'disabled' || status === 'expired';
}

/** kiteconnect 5.3.0's GTT parameters and trigger object. */
export type KiteGttParams = Parameters<KiteClient['placeGTT']>[0];
export type KiteTrigger = Awaited<ReturnType<KiteClient['getGTT']>>;

/** One order of a GTT: Kite allows only LIMIT orders at a price (kite-facts-2 §2). */
export interface GttOrderSpec {
  transaction_type: 'BUY' | 'SELL';
  quantity: number;
  /** CNC (equity) or NRML (F&O), per Kite's GTT terms; MIS is not documented. */
  product: string;
  /** The LIMIT price of the order placed when the trigger is reached. */
  price: number;
}

export interface GttLegSpec {
  /** The last price at which this order is placed. */
  trigger: number;
  order: GttOrderSpec;
}

interface GttInstrument {
  exchange: string;
  tradingsymbol: string;
  /** The instrument's last price now: Kite needs it to tell which way each trigger lies. */
  lastPrice: number;
}

/** A single-trigger GTT. */
export type SingleGttSpec = GttInstrument & GttLegSpec;
/** A two-leg GTT (OCO): whichever trigger is reached first places its order; the other lies dormant. */
export type OcoGttSpec = GttInstrument & { stop: GttLegSpec; target: GttLegSpec };
export type GttSpec = SingleGttSpec | OcoGttSpec;

/** What is stored and sent: kiteconnect's parameters, and the role of each of its orders (its fired order's leg name). */
export interface GttRequest {
  params: KiteGttParams;
  roles: GttRole[];
}
export type GttRole = 'stop' | 'target' | 'trigger';

/** A GTT asked for with values Kite would refuse or that make no sense; nothing is recorded or sent. */
export class GttSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GttSpecError';
  }
}

const isOco = (spec: GttSpec): spec is OcoGttSpec => 'stop' in spec || 'target' in spec;
const positive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

function checkLeg(what: string, leg: GttLegSpec | undefined): GttLegSpec {
  if (!leg || typeof leg !== 'object') throw new GttSpecError(`${what}: needs { trigger, order }`);
  if (!positive(leg.trigger)) throw new GttSpecError(`${what}.trigger must be a positive price`);
  const order = leg.order;
  if (!order || (order.transaction_type !== 'BUY' && order.transaction_type !== 'SELL'))
    throw new GttSpecError(`${what}.order.transaction_type must be BUY or SELL`);
  if (!positive(order.quantity) || !Number.isInteger(order.quantity)) throw new GttSpecError(`${what}.order.quantity must be a whole number above 0`);
  if (!positive(order.price)) throw new GttSpecError(`${what}.order.price must be a positive price (GTT orders are LIMIT orders)`);
  if (typeof order.product !== 'string' || !order.product) throw new GttSpecError(`${what}.order.product is required (CNC or NRML)`);
  return leg;
}

/** Validate a strategy's GTT and build what kiteconnect sends. OCO triggers go lowest first, as Kite expects. */
export function gttRequest(spec: GttSpec): GttRequest {
  if (!spec || typeof spec.exchange !== 'string' || !spec.exchange || typeof spec.tradingsymbol !== 'string' || !spec.tradingsymbol) {
    throw new GttSpecError('a GTT needs exchange and tradingsymbol');
  }
  if (!positive(spec.lastPrice)) throw new GttSpecError("lastPrice (the instrument's last price now) must be a positive price");
  const order = (leg: GttLegSpec) => ({
    transaction_type: leg.order.transaction_type,
    quantity: leg.order.quantity,
    product: leg.order.product,
    order_type: 'LIMIT',
    price: leg.order.price,
  });
  const base = { exchange: spec.exchange, tradingsymbol: spec.tradingsymbol, last_price: spec.lastPrice };
  if (!isOco(spec)) {
    const leg = checkLeg('the GTT', spec);
    if (leg.trigger === spec.lastPrice) throw new GttSpecError(`the trigger ${leg.trigger} equals the last price: it would fire at once`);
    return { params: { ...base, trigger_type: 'single', trigger_values: [leg.trigger], orders: [order(leg)] } as KiteGttParams, roles: ['trigger'] };
  }
  const stop = checkLeg('stop', spec.stop);
  const target = checkLeg('target', spec.target);
  const [low, high] = stop.trigger < target.trigger ? (['stop', 'target'] as const) : (['target', 'stop'] as const);
  const legs = { stop, target };
  if (!(legs[low].trigger < spec.lastPrice && spec.lastPrice < legs[high].trigger)) {
    throw new GttSpecError(
      `an OCO GTT needs one trigger below the last price ${spec.lastPrice} and one above it (stop ${stop.trigger}, target ${target.trigger})`,
    );
  }
  return {
    params: {
      ...base,
      trigger_type: 'two-leg',
      trigger_values: [legs[low].trigger, legs[high].trigger],
      orders: [order(legs[low]), order(legs[high])],
    } as KiteGttParams,
    roles: [low, high],
  };
}

/** The leg name the order a GTT fires gets in `legs` (its chain's timeline). */
export function firedLegName(gttName: string, role: GttRole): string {
  return `${gttName}:${role}`;
}

const samePrice = (a: number, b: number) => Math.abs(Number(a) - Number(b)) < 1e-6;

/**
 * Is this trigger at Kite the GTT we asked for? Same type, instrument, trigger values, last price and orders. `since`:
 * our record's creation — a GTT created well before (someone's identical GTT from earlier) is not ours. Kite's clock
 * and ours may differ a little, hence the slack.
 */
export function isSameGtt(request: GttRequest, trigger: KiteTrigger, since: Date, slackMs = 60_000): boolean {
  const p = request.params;
  const c = trigger.condition;
  if (trigger.type !== p.trigger_type || c.exchange !== p.exchange || c.tradingsymbol !== p.tradingsymbol) return false;
  if (!samePrice(c.last_price, p.last_price) || c.trigger_values.length !== p.trigger_values.length) return false;
  if (!c.trigger_values.every((value, i) => samePrice(value, p.trigger_values[i]))) return false;
  if (trigger.orders.length !== p.orders.length) return false;
  const ordersMatch = trigger.orders.every((o, i) => {
    const want = p.orders[i];
    return (
      o.transaction_type === want.transaction_type &&
      Number(o.quantity) === Number(want.quantity) &&
      samePrice(o.price, want.price) &&
      o.product === want.product
    );
  });
  if (!ordersMatch) return false;
  let created: number;
  try {
    created = parseIst(trigger.created_at).getTime();
  } catch {
    return false;
  }
  return created >= since.getTime() - slackMs;
}

/** An order a triggered GTT tried to place: its id, or why Kite could not place it ("triggered" does not mean an order exists). */
export interface FiredOrder {
  role: GttRole;
  legIndex: number;
  orderId: string | null;
  rejectionReason: string | null;
  transactionType: string;
  quantity: number;
  price: number;
  product: string;
}

/** The orders a trigger has fired so far: `orders[i].result.order_result` (kite-facts-2 §2). */
export function firedOrders(trigger: KiteTrigger, roles: readonly GttRole[]): FiredOrder[] {
  return trigger.orders.flatMap((order, legIndex) => {
    const result = order.result;
    if (!result) return [];
    const outcome = result.order_result ?? { status: 'failed', order_id: '', rejection_reason: 'no order_result' };
    const orderId = outcome.order_id ? String(outcome.order_id) : null;
    return [
      {
        role: roles[legIndex] ?? 'trigger',
        legIndex,
        orderId,
        rejectionReason: orderId ? null : outcome.rejection_reason || outcome.status || 'no order id',
        transactionType: String(result.transaction_type ?? order.transaction_type),
        quantity: Number(result.quantity ?? order.quantity),
        price: Number(result.price ?? order.price),
        product: String(result.product ?? order.product),
      },
    ];
  });
}

/** The placement as the leg state machine sees it, so a GTT is settled by the very rules that settle legs. */
export function placementFacts(gtt: { status: GttStatus; triggerId: number | null; attempts: number; unclearAt: Date | null }): LegFacts {
  const status = gtt.status === 'placing' || gtt.status === 'unknown' || gtt.status === 'failed' ? gtt.status : 'placed';
  return { status, orderId: gtt.triggerId === null ? null : String(gtt.triggerId), attempts: gtt.attempts, unclearAt: gtt.unclearAt };
}
