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

export const place = (kite: Kite, params: PlaceParams): Promise<{ order_id: string }> => kite.placeOrder('regular', params);

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

/** A Kite API call without the client, for what kiteconnect hides: raw bodies, status codes and headers. */
export async function rawApi(
  sim: KiteSimulator,
  method: string,
  path: string,
  form?: Record<string, string>,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      'X-Kite-Version': '3',
      Authorization: `token ${sim.options.apiKey}:${sim.options.accessToken}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: form && new URLSearchParams(form).toString(),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

/** Poll until `check` passes (streams and postbacks are asynchronous); fails with the last error after `ms`. */
export async function eventually(check: () => Promise<void> | void, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
