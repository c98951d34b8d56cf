import { legTag } from '../../src/broker/leg-tag';
import { signedPostback } from './postbacks';

let nextEntry = 260000000000100;

/**
 * The COMPLETE postback of an entry tagged for the shipped `two-leg` strategy, sent straight to the engine (the entry is
 * the user's, placed elsewhere), so that the next placement the simulator sees — the one a fault switch hits — is the
 * exit leg two-leg places for it. Returns the entry's order id and the exit leg's tag.
 */
export async function enterTwoLeg(engineUrl: string, quantity = 5, instrument: Record<string, unknown> = {}): Promise<{ entry: string; tag: string }> {
  const entry = String(nextEntry++);
  const body = signedPostback({
    order_id: entry,
    status: 'COMPLETE',
    tag: 'twoleg',
    exchange: 'NSE',
    tradingsymbol: 'SBIN',
    transaction_type: 'BUY',
    product: 'MIS',
    order_type: 'MARKET',
    quantity,
    filled_quantity: quantity,
    pending_quantity: 0,
    average_price: 470,
    price: 0,
    ...instrument, // e.g. an NFO option: exchange, tradingsymbol, product, average_price
  });
  const res = await fetch(`${engineUrl}/kite/postback`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`postback answered ${res.status}`);
  return { entry, tag: legTag('two-leg', entry, 'exit') };
}
