import { postbackChecksum } from '../../src/common/kite-checksum';
import sample from '../../test/fixtures/kite-postback.json';
import { seededRandom } from './results';

type Kind = 'complete' | 'cancel' | 'reject' | 'open';

interface Progress {
  orderId: string;
  bodies: string[];
  next: number;
}

const BASE_MS = Date.UTC(2026, 10, 25, 9, 15, 0);
const istText = (offsetSeconds: number): string => new Date(BASE_MS + offsetSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ');

/**
 * An endless, seeded stream of signed Kite postbacks for many orders at once, as a crash bench needs: each order
 * goes OPEN → one to three partial fills (UPDATE) → COMPLETE, or is cancelled after a partial fill, or rejected, or
 * stays open; updates of different orders interleave, and about `repeatShare` of the bodies are exact repeats of
 * recent ones (Kite re-sending). Exchange timestamps rise with each step, so the last step is also the newest.
 * Ids are 19 digits starting with 9, apart from the simulator's (which start with the date).
 */
export class PostbackStream {
  private readonly random: () => number;
  private readonly active: Progress[] = [];
  private readonly recent: string[] = [];
  private orders = 0;
  emitted = 0;

  constructor(
    private readonly secret: string,
    seed: number,
    private readonly options: { concurrentOrders?: number; repeatShare?: number } = {},
  ) {
    this.random = seededRandom(seed);
  }

  next(): string {
    this.emitted++;
    if (this.recent.length > 0 && this.random() < (this.options.repeatShare ?? 0.15)) {
      return this.recent[Math.floor(this.random() * this.recent.length)];
    }
    while (this.active.length < (this.options.concurrentOrders ?? 64)) this.active.push(this.newOrder());
    const slot = Math.floor(this.random() * this.active.length);
    const order = this.active[slot];
    const body = order.bodies[order.next++];
    if (order.next === order.bodies.length) this.active[slot] = this.newOrder();
    this.recent.push(body);
    if (this.recent.length > 500) this.recent.shift();
    return body;
  }

  private newOrder(): Progress {
    const n = this.orders++;
    const orderId = `9${String(Math.floor(this.random() * 1e8)).padStart(8, '0')}${String(n).padStart(10, '0')}`;
    const r = this.random();
    const kind: Kind = r < 0.7 ? 'complete' : r < 0.85 ? 'cancel' : r < 0.95 ? 'reject' : 'open';
    const quantity = 10 * (1 + Math.floor(this.random() * 10));
    const orderTimestamp = istText(n % 20_000);
    let second = n % 20_000;
    const bodies: string[] = [];
    const body = (status: string, filled: number, average: number, extra: Record<string, unknown> = {}) => {
      second += 1;
      const terminal = status === 'COMPLETE' || status === 'CANCELLED' || status === 'REJECTED';
      const payload: Record<string, unknown> = {
        ...sample,
        order_id: orderId,
        exchange_order_id: `13${orderId.slice(5)}`,
        status,
        order_type: 'LIMIT',
        quantity,
        price: 470,
        filled_quantity: filled,
        pending_quantity: terminal ? 0 : quantity - filled,
        unfilled_quantity: quantity - filled,
        cancelled_quantity: status === 'CANCELLED' ? quantity - filled : 0,
        average_price: average,
        order_timestamp: orderTimestamp,
        exchange_update_timestamp: istText(second),
        exchange_timestamp: istText(second),
        ...extra,
      };
      payload.checksum = postbackChecksum(orderId, orderTimestamp, this.secret);
      bodies.push(JSON.stringify(payload));
    };
    if (kind === 'reject') {
      body('REJECTED', 0, 0, { status_message: 'RMS:Margin Exceeds' });
      return { orderId, bodies, next: 0 };
    }
    body('OPEN', 0, 0);
    if (kind === 'open') return { orderId, bodies, next: 0 };
    const slices = 1 + Math.floor(this.random() * 3);
    let filled = 0;
    let value = 0;
    for (let i = 1; i <= slices; i++) {
      const target = Math.floor((quantity * i) / (slices + 1));
      if (target <= filled) continue;
      value += (target - filled) * (470 - i * 0.05);
      filled = target;
      body('UPDATE', filled, Math.round((value / filled) * 1e4) / 1e4);
    }
    if (kind === 'cancel') {
      body('CANCELLED', filled, filled ? Math.round((value / filled) * 1e4) / 1e4 : 0);
    } else {
      value += (quantity - filled) * 469.5;
      body('COMPLETE', quantity, Math.round((value / quantity) * 1e4) / 1e4);
    }
    return { orderId, bodies, next: 0 };
  }
}
