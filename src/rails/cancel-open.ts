import { In, IsNull, Not, Repository } from 'typeorm';
import type { Leg } from '../broker/entities/leg.entity';
import { isCancellable, mayHaveOrderAtBroker } from '../broker/leg-state.machine';
import type { Variety } from '../broker/leg-order';
import { errorText } from '../common/error-text';
import type { KiteClient } from '../kite-session/kite-client.provider';

export type CancellableLeg = Pick<Leg, 'orderId' | 'tag' | 'request'>;

/**
 * Legs whose order may be open in Kite (leg-state.machine.ts, mayHaveOrderAtBroker): placed ones, ones still settling
 * (in flight or unknown after an unclear answer), and ones given up after an unclear answer, whose order may show late.
 */
export async function legsThatMayBeOpen(legs: Repository<Leg>): Promise<CancellableLeg[]> {
  const rows = await legs.find({
    where: [{ status: In(['placed', 'placing', 'unknown']) }, { status: 'failed', unclearAt: Not(IsNull()) }, { status: 'failed', orderId: Not(IsNull()) }],
    select: { orderId: true, tag: true, request: true, status: true, attempts: true, unclearAt: true },
  });
  return rows.filter(mayHaveOrderAtBroker);
}

export interface CancelOpenResult {
  cancelled: string[];
  cancelFailures: Array<{ orderId: string; error: string }>;
}

/**
 * Cancel every order legwork placed that Kite still shows open: every order in Kite's book carrying the tag of one of
 * these legs (a second order for one leg included), or the id of one. Every status but the final ones counts as open
 * (Kite has more interim statuses than it documents). `pace` waits for a turn under Kite's rate limit before each
 * cancellation. Used by the engine's kill switch and by the CLI when no engine runs.
 */
export async function cancelOpenLegworkOrders(
  kite: Pick<KiteClient, 'getOrders' | 'cancelOrder'>,
  legs: CancellableLeg[],
  pace: () => Promise<void> = () => Promise.resolve(),
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
    if (!leg || !isCancellable(String(row.status))) continue;
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
