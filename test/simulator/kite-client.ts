import { KiteConnect } from 'kiteconnect';
import type { KiteSimulator } from '../../src/simulator';

export type Kite = InstanceType<typeof KiteConnect>;
/** kiteconnect 5.3.0's placeOrder type lacks market_protection although the client sends it. */
export type PlaceParams = Parameters<Kite['placeOrder']>[1] & { market_protection?: number };

/** The official client pointed at the simulator. */
export function kiteFor(sim: KiteSimulator, overrides: { access_token?: string; timeout?: number } = {}): Kite {
  return new KiteConnect({ api_key: sim.options.apiKey, access_token: sim.options.accessToken, root: sim.url, ...overrides });
}

export const sbinBuy = (overrides: Partial<PlaceParams> = {}): PlaceParams => ({
  exchange: 'NSE',
  tradingsymbol: 'SBIN',
  transaction_type: 'BUY',
  quantity: 10,
  product: 'CNC',
  order_type: 'LIMIT',
  price: 469,
  ...overrides,
});

export const place = (kite: Kite, params: PlaceParams): Promise<{ order_id: string }> =>
  kite.placeOrder('regular', params as Parameters<Kite['placeOrder']>[1]);

/** kiteconnect rejects with plain objects ({ message, error_type, ... }), not Errors: return what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the call to reject');
}

/** trades.json's row keys (kiteconnect-mocks). */
export const TRADE_KEYS = [
  'trade_id',
  'order_id',
  'exchange',
  'tradingsymbol',
  'instrument_token',
  'product',
  'average_price',
  'quantity',
  'exchange_order_id',
  'transaction_type',
  'fill_timestamp',
  'order_timestamp',
  'exchange_timestamp',
];
