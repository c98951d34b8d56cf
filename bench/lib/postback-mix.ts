import { randomBytes } from 'node:crypto';
import { postbackChecksum } from '../../src/common/kite-checksum';
import sample from '../../test/fixtures/kite-postback.json';

/** The request mixes: every postback a new order (issue 15's measurement), or new orders, fills and repeats. */
export const MIXES = {
  new: { open: 1, fill: 0, duplicate: 0 },
  mixed: { open: 0.5, fill: 0.3, duplicate: 0.2 },
};

/**
 * A realistic request mix of signed postbacks: new orders (OPEN), partial fills of earlier orders (UPDATE) and exact
 * repeats (Kite re-sending), in fixed proportions. Ids are 19 digits and unique per run.
 */
export function postbackMix(count: number, secret: string, shares = MIXES.mixed): string[] {
  const prefix = (BigInt(`0x${randomBytes(6).toString('hex')}`) % 9_000_000_000n) + 1_000_000_000n;
  const bodies: string[] = [];
  const opened: string[] = [];
  const filled = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const r = (i * 0.6180339887) % 1; // deterministic low-discrepancy spread over the shares
    if (r < shares.duplicate && bodies.length > 0) {
      bodies.push(bodies[Math.floor(r * 997) % bodies.length]);
      continue;
    }
    let orderId: string;
    let status = 'OPEN';
    let quantity = 10;
    if (r < shares.duplicate + shares.fill && opened.length > 0) {
      orderId = opened[i % opened.length];
      quantity = Math.min(10, (filled.get(orderId) ?? 0) + 1);
      filled.set(orderId, quantity);
      status = quantity === 10 ? 'COMPLETE' : 'UPDATE';
    } else {
      orderId = `${prefix}${String(i).padStart(9, '0')}`;
      opened.push(orderId);
      quantity = 0;
    }
    const body = {
      ...sample,
      order_id: orderId,
      status,
      quantity: 10,
      filled_quantity: quantity,
      pending_quantity: 10 - quantity,
      average_price: quantity ? 100 : 0,
      order_timestamp: '2026-11-25 09:15:00',
      exchange_update_timestamp: `2026-11-25 09:${String(15 + Math.floor(quantity / 2)).padStart(2, '0')}:${String(quantity).padStart(2, '0')}`,
    };
    body.checksum = postbackChecksum(body.order_id, body.order_timestamp, secret);
    bodies.push(JSON.stringify(body));
  }
  return bodies;
}
