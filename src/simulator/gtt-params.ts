import { inputError } from './kite-errors';
import type { TransactionType } from './kite-rows';
import { EXCHANGES, FormFields } from './order-params';

export type GttType = 'single' | 'two-leg';

/** One order of a GTT as the client sends it (kiteconnect 5.3.0 `_getGTTPayload` copies exactly these keys). */
export interface GttLegInput {
  exchange: string;
  tradingsymbol: string;
  transaction_type: TransactionType;
  order_type: 'LIMIT';
  product: string;
  quantity: number;
  price: number;
}

export interface GttInput {
  type: GttType;
  condition: { exchange: string; tradingsymbol: string; trigger_values: number[]; last_price: number };
  orders: GttLegInput[];
}

export interface GttParamRules {
  /** Kite's GTT terms name CNC (equity) and NRML (F&O); MIS is documented nowhere, so it is refused unless this is set. */
  allowMis: boolean;
}

/** Triggers (and so orders) per type: `single` fires one order, `two-leg` (OCO) one of two. */
export const GTT_LEGS: Record<GttType, number> = { single: 1, 'two-leg': 2 };

/** Docs: CNC in equity cash, NRML in F&O; MIS only when allowed. */
const GTT_PRODUCTS = ['CNC', 'NRML'];

type Json = Record<string, unknown>;

function parseJson(body: FormFields, key: string): unknown {
  const raw = body[key];
  if (raw === undefined || raw.trim() === '') throw inputError(`Missing \`${key}\`.`);
  try {
    return JSON.parse(raw);
  } catch {
    throw inputError(`Invalid \`${key}\`: not valid JSON.`);
  }
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const positive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

function text(source: Json, key: string, where: string): string {
  const value = source[key];
  if (typeof value !== 'string' || value.trim() === '') throw inputError(`Invalid \`${where}.${key}\`.`);
  return value.trim();
}

/** POST/PUT /gtt/triggers form fields → a structurally valid GTT; checks against the market come later (GttBook). */
export function parseGttParams(body: FormFields, rules: GttParamRules): GttInput {
  const type = body.type?.trim();
  if (!type) throw inputError('Missing `type`.');
  if (type !== 'single' && type !== 'two-leg') throw inputError('Invalid `type`: use `single` or `two-leg`.');
  const legs = GTT_LEGS[type];

  const condition = parseJson(body, 'condition');
  if (!isObject(condition)) throw inputError('Invalid `condition`: expected a JSON object.');
  const exchange = text(condition, 'exchange', 'condition');
  if (!(EXCHANGES as readonly string[]).includes(exchange)) throw inputError('Invalid `condition.exchange`.');
  const tradingsymbol = text(condition, 'tradingsymbol', 'condition');
  const triggerValues = condition.trigger_values;
  if (!Array.isArray(triggerValues) || !triggerValues.every(positive)) {
    throw inputError('Invalid `condition.trigger_values`: expected an array of positive numbers.');
  }
  if (triggerValues.length !== legs) {
    throw inputError(`Invalid \`condition.trigger_values\`: a \`${type}\` GTT takes ${legs} trigger value${legs > 1 ? 's' : ''}, got ${triggerValues.length}.`);
  }
  if (!positive(condition.last_price)) throw inputError('Invalid `condition.last_price`.');

  const orders = parseJson(body, 'orders');
  if (!Array.isArray(orders)) throw inputError('Invalid `orders`: expected a JSON array.');
  if (orders.length !== legs) throw inputError(`Invalid \`orders\`: a \`${type}\` GTT takes ${legs} order${legs > 1 ? 's' : ''}, got ${orders.length}.`);
  const products = rules.allowMis ? [...GTT_PRODUCTS, 'MIS'] : GTT_PRODUCTS;

  return {
    type,
    condition: { exchange, tradingsymbol, trigger_values: triggerValues, last_price: condition.last_price },
    orders: orders.map((order: unknown, i): GttLegInput => {
      const where = `orders[${i}]`;
      if (!isObject(order)) throw inputError(`Invalid \`${where}\`: expected a JSON object.`);
      if (text(order, 'exchange', where) !== exchange || text(order, 'tradingsymbol', where) !== tradingsymbol) {
        throw inputError(`Invalid \`${where}\`: a GTT's orders must be for its own instrument ${exchange}:${tradingsymbol}.`);
      }
      const transaction = text(order, 'transaction_type', where);
      if (transaction !== 'BUY' && transaction !== 'SELL') throw inputError(`Invalid \`${where}.transaction_type\`.`);
      if (text(order, 'order_type', where) !== 'LIMIT') throw inputError(`Invalid \`${where}.order_type\`: GTT orders must be LIMIT orders.`);
      const product = text(order, 'product', where);
      if (!products.includes(product)) throw inputError(`Invalid \`${where}.product\`: GTT orders take ${products.join(' or ')}.`);
      if (!positive(order.quantity) || !Number.isInteger(order.quantity)) throw inputError(`Invalid \`${where}.quantity\`.`);
      if (!positive(order.price)) throw inputError(`Invalid \`${where}.price\`.`);
      return { exchange, tradingsymbol, transaction_type: transaction, order_type: 'LIMIT', product, quantity: order.quantity, price: order.price };
    }),
  };
}
