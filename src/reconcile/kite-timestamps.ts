/** Fields kiteconnect turns into Date objects (parsed in the process's local time zone) on getOrders/getTrades. */
const DATE_FIELDS = ['order_timestamp', 'exchange_timestamp', 'exchange_update_timestamp', 'fill_timestamp'] as const;

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Undo kiteconnect's conversion: it did `new Date("yyyy-mm-dd hh:mm:ss")`, which reads the IST string as local time,
 * so formatting the Date back in local time yields exactly the string Kite sent, whatever the server's TZ.
 */
export function kiteTimestamp(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') return value;
  if (value instanceof Date && !Number.isNaN(value.getTime())) {
    return (
      `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())} ` +
      `${pad(value.getHours())}:${pad(value.getMinutes())}:${pad(value.getSeconds())}`
    );
  }
  return null;
}

/** A getOrders()/getTrades() row with its timestamps back as Kite's strings, ready to go through the inbox. */
export function withKiteTimestamps<T extends Record<string, unknown>>(row: T): T {
  const copy: Record<string, unknown> = { ...row };
  for (const field of DATE_FIELDS) if (field in copy) copy[field] = kiteTimestamp(copy[field]);
  return copy as T;
}
