import { In, Repository } from 'typeorm';
import type { Leg } from '../broker/entities/leg.entity';
import type { Variety } from '../broker/order-gateway.service';
import { errorText } from '../common/error-text';
import type { KiteClient } from '../kite-session/kite-client.provider';

/** Final statuses, and one already on its way out: every other status is an order that can still be cancelled. */
const NOT_CANCELLABLE = new Set(['COMPLETE', 'CANCELLED', 'REJECTED', 'CANCEL PENDING']);

export type CancellableLeg = Pick<Leg, 'orderId' | 'tag' | 'request'>;

/** Legs whose order may still be open in Kite: placed ones, and ones still settling (an unclear placement). */
export function legsThatMayBeOpen(legs: Repository<Leg>): Promise<CancellableLeg[]> {
  return legs.find({ where: { status: In(['placed', 'placing']) }, select: { orderId: true, tag: true, request: true } });
}

export interface CancelOpenResult {
  cancelled: string[];
  cancelFailures: Array<{ orderId: string; error: string }>;
}

/**
 * Cancel every order legwork placed that Kite still shows open: legs marked placed, and legs still settling (an
 * unclear placement), found in Kite's book by order id or by their tag. Every status but the final ones counts as open
 * (Kite has more interim statuses than it documents). `pace` waits for a turn under Kite's rate limit before each
 * cancellation. Used by the engine's kill switch and by the CLI when no engine runs.
 */
export async function cancelOpenLegworkOrders(
  kite: Pick<KiteClient, 'getOrders' | 'cancelOrder'>,
  legs: CancellableLeg[],
  pace: () => Promise<void> = async () => undefined,
): Promise<CancelOpenResult> {
  const result: CancelOpenResult = { cancelled: [], cancelFailures: [] };
  if (legs.length === 0) return result;
  const varietyOf = (leg: Pick<Leg, 'request'>) => (JSON.parse(leg.request) as { variety?: Variety }).variety ?? 'regular';
  const byOrderId = new Map(legs.filter((l) => l.orderId).map((l) => [l.orderId!, l]));
  const byTag = new Map(legs.map((l) => [l.tag, l]));
  let book: Awaited<ReturnType<KiteClient['getOrders']>>;
  try {
    book = await kite.getOrders();
  } catch (error) {
    result.cancelFailures.push({ orderId: '*', error: `Kite's order book could not be read: ${errorText(error)}` });
    return result;
  }
  for (const row of book) {
    const id = String(row.order_id);
    const leg = byOrderId.get(id) ?? (typeof row.tag === 'string' ? byTag.get(row.tag) : undefined);
    if (!leg || NOT_CANCELLABLE.has(String(row.status))) continue;
    try {
      await pace();
      await kite.cancelOrder(varietyOf(leg), id);
      result.cancelled.push(id);
    } catch (error) {
      result.cancelFailures.push({ orderId: id, error: errorText(error) });
    }
  }
  return result;
}
