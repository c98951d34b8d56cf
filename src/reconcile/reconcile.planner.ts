import type { OrderSnapshot } from '../events/order-snapshot';
import { isTerminal } from '../orders/order-state.machine';
import { normaliseStatus, toOrderUpdate } from '../orders/order-update';
import { textOf } from '../common/text-of';

export type KiteRow = Record<string, unknown>;

/** Fields compared to decide whether the OMS knows something the store does not. */
function differs(stored: OrderSnapshot, row: KiteRow): boolean {
  const update = toOrderUpdate(row);
  const status = update.status === 'UPDATE' ? 'OPEN' : update.status;
  return (
    status !== stored.status ||
    update.filledQuantity !== stored.filledQuantity ||
    update.quantity !== stored.quantity ||
    update.price !== stored.price ||
    update.triggerPrice !== stored.triggerPrice ||
    update.cancelledQuantity !== stored.cancelledQuantity
  );
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));

/**
 * Fills the store missed, one synthetic UPDATE per trade (oldest first), so strategies see the same fill deltas a
 * stream of postbacks would have produced. Trades already covered by the stored filled quantity are skipped; if the
 * trades do not add up to the row's filled quantity, the row alone (one aggregate delta) is used.
 */
function missedFillUpdates(row: KiteRow, knownFilled: number, trades: KiteRow[]): KiteRow[] {
  const filled = num(row.filled_quantity);
  if (filled <= knownFilled || trades.length === 0) return [];
  const sorted = [...trades].sort(
    (a, b) => textOf(a.fill_timestamp ?? '').localeCompare(textOf(b.fill_timestamp ?? '')) || String(a.trade_id).localeCompare(String(b.trade_id)),
  );
  if (sorted.reduce((sum, t) => sum + num(t.quantity), 0) !== filled) return [];
  const updates: KiteRow[] = [];
  let cumulative = 0;
  let value = 0;
  for (const trade of sorted.slice(0, -1)) {
    cumulative += num(trade.quantity);
    value += num(trade.quantity) * num(trade.average_price);
    if (cumulative <= knownFilled) continue;
    updates.push({
      ...row,
      status: 'UPDATE',
      filled_quantity: cumulative,
      pending_quantity: num(row.quantity) - cumulative,
      average_price: Math.round((value / cumulative) * 1e6) / 1e6,
      exchange_update_timestamp: trade.fill_timestamp ?? row.exchange_update_timestamp,
    });
  }
  return updates;
}

/**
 * Plan the updates that bring the store level with the OMS: for each order the OMS reports and the store lacks or
 * holds differently, the missed per-trade fills and then the row itself, in order-placement order so parents
 * come before the legs they triggered. Orders the store already knows exactly produce nothing.
 */
export function planReconcile(stored: Map<string, OrderSnapshot>, orders: KiteRow[], trades: KiteRow[]): KiteRow[] {
  const tradesByOrder = new Map<string, KiteRow[]>();
  for (const trade of trades) {
    const id = String(trade.order_id);
    tradesByOrder.set(id, [...(tradesByOrder.get(id) ?? []), trade]);
  }
  const ordered = [...orders].sort(
    (a, b) => textOf(a.order_timestamp ?? '').localeCompare(textOf(b.order_timestamp ?? '')) || String(a.order_id).localeCompare(String(b.order_id)),
  );
  const plan: KiteRow[] = [];
  for (const row of ordered) {
    if (typeof row.order_id !== 'string' || typeof row.status !== 'string') continue;
    const known = stored.get(row.order_id);
    if (known && !differs(known, row)) continue;
    if (known && isTerminal(known.status)) continue; // a terminal state is never left
    plan.push(...missedFillUpdates(row, known?.filledQuantity ?? 0, tradesByOrder.get(row.order_id) ?? []));
    plan.push({ ...row, status: normaliseStatus(row.status) });
  }
  return plan;
}

/**
 * Whether a planned row is news whatever else arrived while Kite's book was being read: it ends the order (a terminal
 * state is never left, so a later one cannot be overtaken) or raises its filled quantity above what the store held
 * (fills only grow). Any other row — a modification, a status word — is ordered only by Kite's timestamps, which have
 * one-second resolution: if a live update of that order arrived during the read, the row may be older than it, and
 * applying it would take the newer state back.
 */
export function advancesOrder(row: KiteRow, stored: OrderSnapshot | undefined): boolean {
  const update = toOrderUpdate(row);
  return isTerminal(update.status) || update.filledQuantity > (stored?.filledQuantity ?? 0);
}
