import type { KiteClient } from '../kite-session/kite-client.provider';

/**
 * Kite's instrument CSV through the engine's one kiteconnect client, without the client's own parse.
 *
 * kiteconnect 5.3.0's getInstruments() hands the response to `this.transformInstrumentsResponse`, which parses the
 * whole CSV synchronously (papaparse, then a pass over every row): about half a second for 100,000 rows, with the
 * event loop frozen, so no postback is even read meanwhile. Called on an object that inherits everything from the
 * client (its HTTP instance, access token, session-expiry hook, error handling) but passes the body through, it
 * resolves to the CSV text, which legwork parses in slices (normalizeInstrumentsInSlices). Should another client
 * version parse anyway, the rows it returns are handled too.
 */
export function fetchInstruments(kite: KiteClient, exchange?: string): Promise<unknown> {
  const unparsed = Object.create(kite, { transformInstrumentsResponse: { value: (data: unknown) => data } }) as KiteClient;
  const getInstruments = kite.getInstruments as (this: KiteClient, exchange?: string) => Promise<unknown>;
  return exchange ? getInstruments.call(unparsed, exchange) : getInstruments.call(unparsed);
}
