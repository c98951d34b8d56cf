/**
 * Order actions per minute over a day, for the chart against Kite's per-minute limit. Pure.
 */
import { formatIst } from '../market/ist-time';

export interface MinuteCount {
  /** The IST minute, "yyyy-mm-dd hh:mm". */
  minute: string;
  place: number;
  modify: number;
}

export interface OrderRate {
  /** Minutes with at least one action, ascending (minutes without any are left out). */
  minutes: MinuteCount[];
  /** The busiest minute (placements + modifications); null on a day without any. */
  peak: { minute: string; count: number } | null;
  total: { place: number; modify: number };
}

/** Counts placements and modifications (order_actions rows) per IST calendar minute. */
export function ordersPerMinute(actions: ReadonlyArray<{ action: string; at: Date }>): OrderRate {
  const byMinute = new Map<string, MinuteCount>();
  const total = { place: 0, modify: 0 };
  for (const { action, at } of actions) {
    if (action !== 'place' && action !== 'modify') continue;
    const minute = formatIst(at).slice(0, 16);
    const row = byMinute.get(minute) ?? { minute, place: 0, modify: 0 };
    row[action] += 1;
    total[action] += 1;
    byMinute.set(minute, row);
  }
  const minutes = [...byMinute.values()].sort((a, b) => (a.minute < b.minute ? -1 : 1));
  let peak: OrderRate['peak'] = null;
  for (const m of minutes) if (!peak || m.place + m.modify > peak.count) peak = { minute: m.minute, count: m.place + m.modify };
  return { minutes, peak, total };
}
