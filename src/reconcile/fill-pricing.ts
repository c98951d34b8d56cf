import type { KiteRow } from './reconcile.planner';
import { textOf } from '../common/text-of';

/** A fill stored without a price: the rise of the order's filled quantity from cumulativeQuantity − quantity. */
export interface UnpricedFill {
  id: number;
  orderId: string;
  quantity: number;
  cumulativeQuantity: number;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? NaN));

/** Kite's trade ids are numeric strings of varying length: shorter first, then by digits. */
const compareTradeIds = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Price unpriced fills from Kite's trades (getTrades / getOrderTrades rows, timestamps as Kite's strings). Pure.
 *
 * An order's trades, in the order they happened (fill_timestamp, then trade id), make up its filled quantity: the
 * fill that took it from q0 to q1 is the trade quantity between those two points, so its price is the value of
 * that stretch over its quantity (a trade straddling two fills lends each the part it covers, at its price).
 * A fill whose stretch the trades do not cover yet (Kite's trade book can lag its order book) is left out: it is
 * tried again later. Returns fill id → price.
 */
export function priceFillsFromTrades(fills: readonly UnpricedFill[], trades: readonly KiteRow[]): Map<number, number> {
  const byOrder = new Map<string, Array<{ quantity: number; price: number }>>();
  const sorted = [...trades].sort(
    (a, b) =>
      textOf(a.fill_timestamp ?? a.exchange_timestamp ?? '').localeCompare(textOf(b.fill_timestamp ?? b.exchange_timestamp ?? '')) ||
      compareTradeIds(textOf(a.trade_id ?? ''), textOf(b.trade_id ?? '')),
  );
  for (const trade of sorted) {
    const quantity = num(trade.quantity);
    const price = num(trade.average_price);
    // A trade without a usable quantity or price cannot price anything; the stretch it would cover stays unpriced.
    const usable = Number.isFinite(quantity) && quantity > 0 && Number.isFinite(price) && price > 0;
    const id = String(trade.order_id);
    byOrder.set(id, [...(byOrder.get(id) ?? []), usable ? { quantity, price } : { quantity: Number.isFinite(quantity) ? quantity : 0, price: NaN }]);
  }

  const prices = new Map<number, number>();
  for (const fill of fills) {
    const from = fill.cumulativeQuantity - fill.quantity;
    const to = fill.cumulativeQuantity;
    let position = 0;
    let value = 0;
    let covered = 0;
    for (const trade of byOrder.get(fill.orderId) ?? []) {
      const start = position;
      position += trade.quantity;
      const overlap = Math.min(position, to) - Math.max(start, from);
      if (overlap > 0) {
        value += overlap * trade.price;
        covered += overlap;
      }
      if (position >= to) break;
    }
    const price = Math.round((value / fill.quantity) * 1e6) / 1e6;
    if (covered === fill.quantity && Number.isFinite(price) && price > 0) prices.set(fill.id, price);
  }
  return prices;
}
