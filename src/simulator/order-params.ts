import { inputError } from './kite-errors';
import type { OrderType, TransactionType, Validity } from './kite-rows';
import { isOnTick } from './price-walk';

/** Parsed form fields: kiteconnect posts flat x-www-form-urlencoded bodies, so every value is a string. */
export type FormFields = Record<string, string>;

export const EXCHANGES = ['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD', 'MCX'] as const;
export const PRODUCTS = ['CNC', 'NRML', 'MIS', 'MTF'] as const;
const ORDER_TYPES: readonly OrderType[] = ['MARKET', 'LIMIT', 'SL', 'SL-M'];
const TRANSACTION_TYPES: readonly TransactionType[] = ['BUY', 'SELL'];
const VALIDITIES: readonly Validity[] = ['DAY', 'IOC', 'TTL'];
/** Kite's varieties; only `regular` is simulated, the rest are refused rather than silently treated as regular. */
const KNOWN_VARIETIES = ['regular', 'amo', 'co', 'iceberg', 'auction', 'bo'];
export const MAX_TAG_LENGTH = 20;

/** The fields that decide how an order matches; shared by placement and modification. */
export interface OrderShape {
  transaction_type: TransactionType;
  order_type: OrderType;
  quantity: number;
  price: number;
  trigger_price: number;
  disclosed_quantity: number;
  validity: Validity;
  validity_ttl: number;
  market_protection: number;
}

export interface PlaceOrderInput extends OrderShape {
  variety: string;
  exchange: string;
  tradingsymbol: string;
  product: string;
  tag: string | null;
  /** Kite's `tags` array; defaults to [tag]. Autoslice children carry ["autoslice", "autoslice:<parent>"]. */
  tags?: string[];
}

export type ModifyOrderInput = Partial<
  Pick<OrderShape, 'quantity' | 'price' | 'order_type' | 'trigger_price' | 'validity' | 'validity_ttl' | 'disclosed_quantity' | 'market_protection'>
>;

export interface ParamRules {
  tickSize: number;
  /** Since 2026-04 Kite refuses MARKET/SL-M orders without market_protection; off by default. */
  requireMarketProtection: boolean;
}

const isStop = (type: OrderType): boolean => type === 'SL' || type === 'SL-M';

/** A present, non-blank field ('' counts as absent: qs sends `tag: null` as `tag=`). */
function field(body: FormFields, key: string): string | undefined {
  const value = body[key]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function requiredField(body: FormFields, key: string): string {
  const value = field(body, key);
  if (value === undefined) throw inputError(`Missing \`${key}\`.`);
  return value;
}

function choice<T extends string>(value: string | undefined, allowed: readonly T[], key: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw inputError(`Invalid \`${key}\`.`);
  return value as T;
}

function numberField(body: FormFields, key: string, { integer = false } = {}): number | undefined {
  const value = field(body, key);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || (integer && !Number.isInteger(parsed))) throw inputError(`Invalid \`${key}\`.`);
  return parsed;
}

export function parsePlaceParams(variety: string, body: FormFields, rules: ParamRules): PlaceOrderInput {
  if (!KNOWN_VARIETIES.includes(variety)) throw inputError('Invalid `variety`.');
  if (variety !== 'regular') throw inputError(`Variety \`${variety}\` is not supported by the simulator.`);

  const tradingsymbol = requiredField(body, 'tradingsymbol');
  const exchange = choice(requiredField(body, 'exchange'), EXCHANGES, 'exchange')!;
  const transaction_type = choice(requiredField(body, 'transaction_type'), TRANSACTION_TYPES, 'transaction_type')!;
  const order_type = choice(requiredField(body, 'order_type'), ORDER_TYPES, 'order_type')!;
  const product = choice(requiredField(body, 'product'), PRODUCTS, 'product')!;
  if (field(body, 'quantity') === undefined) throw inputError('Missing `quantity`.');
  const quantity = numberField(body, 'quantity', { integer: true })!;

  const tag = field(body, 'tag') ?? null;
  // Kite documents "alphanumeric, max 20", yet its own mocks carry tags with spaces: only the length is enforced.
  if (tag !== null && tag.length > MAX_TAG_LENGTH) throw inputError(`Invalid \`tag\`. Tag can't be more than ${MAX_TAG_LENGTH} characters.`);

  const shape = checkOrderShape(
    {
      transaction_type,
      order_type,
      quantity,
      price: numberField(body, 'price') ?? 0,
      trigger_price: numberField(body, 'trigger_price') ?? 0,
      disclosed_quantity: numberField(body, 'disclosed_quantity', { integer: true }) ?? 0,
      validity: choice(field(body, 'validity'), VALIDITIES, 'validity') ?? 'DAY',
      validity_ttl: numberField(body, 'validity_ttl', { integer: true }) ?? 0,
      market_protection: numberField(body, 'market_protection') ?? 0,
    },
    rules,
  );
  return { ...shape, variety, exchange, tradingsymbol, product, tag };
}

/** Only the fields present are changes; the book merges them over the order and re-checks the whole shape. */
export function parseModifyParams(body: FormFields): ModifyOrderInput {
  const changes: ModifyOrderInput = {
    quantity: numberField(body, 'quantity', { integer: true }),
    price: numberField(body, 'price'),
    trigger_price: numberField(body, 'trigger_price'),
    order_type: choice(field(body, 'order_type'), ORDER_TYPES, 'order_type'),
    validity: choice(field(body, 'validity'), VALIDITIES, 'validity'),
    validity_ttl: numberField(body, 'validity_ttl', { integer: true }),
    disclosed_quantity: numberField(body, 'disclosed_quantity', { integer: true }),
    market_protection: numberField(body, 'market_protection'),
  };
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
}

/** Kite's refusal of a price (or trigger) off the instrument's tick grid; 0 (no price) passes. */
export function checkOnTick(value: number, tickSize: number): void {
  if (value > 0 && !isOnTick(value, tickSize)) {
    throw inputError(`Tick size for this script is ${tickSize}. Kindly enter price in the multiple of tick size for this script`);
  }
}

/** Kite-style checks of a complete order; returns the shape with fields the order type ignores zeroed. */
export function checkOrderShape(shape: OrderShape, rules: ParamRules): OrderShape {
  const { order_type: type, transaction_type: side } = shape;
  const price = type === 'LIMIT' || type === 'SL' ? shape.price : 0;
  const trigger = isStop(type) ? shape.trigger_price : 0;

  if (!(shape.quantity > 0)) throw inputError('Invalid `quantity`.');
  if ((type === 'LIMIT' || type === 'SL') && !(price > 0)) throw inputError('Invalid `price`.');
  if (isStop(type) && !(trigger > 0)) throw inputError('Invalid `trigger_price`.');
  for (const value of [price, trigger]) checkOnTick(value, rules.tickSize);
  if (type === 'SL' && side === 'BUY' && trigger > price) {
    throw inputError('Trigger price for stoploss buy orders should be lower than the limit price.');
  }
  if (type === 'SL' && side === 'SELL' && trigger < price) {
    throw inputError('Trigger price for stoploss sell orders should be higher than the limit price.');
  }
  if (shape.disclosed_quantity < 0 || shape.disclosed_quantity > shape.quantity) throw inputError('Invalid `disclosed_quantity`.');
  if (shape.validity === 'TTL' && !(shape.validity_ttl >= 1)) throw inputError('Invalid `validity_ttl`.');
  if (shape.market_protection < -1 || shape.market_protection > 100) throw inputError('Invalid `market_protection`.');
  if (rules.requireMarketProtection && (type === 'MARKET' || type === 'SL-M') && shape.market_protection === 0) {
    throw inputError('Market orders without market protection are not allowed via API. Please set market protection or use a Limit order.');
  }
  return { ...shape, price, trigger_price: trigger, validity_ttl: shape.validity === 'TTL' ? shape.validity_ttl : 0 };
}
