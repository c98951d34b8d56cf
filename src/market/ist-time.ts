/**
 * Kite speaks IST wall-clock strings ("yyyy-mm-dd hh:mm:ss", no zone). We format from the UTC epoch plus a fixed
 * +05:30 offset so the output never depends on the process TZ (India has no DST, so the offset is constant).
 */
export const IST_OFFSET_MS = (5 * 60 + 30) * 60_000;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The IST calendar fields of an instant, read via the UTC getters of a shifted Date. */
function istFields(date: Date): Date {
  return new Date(date.getTime() + IST_OFFSET_MS);
}

/** "yyyy-mm-dd hh:mm:ss" in IST, as in order_timestamp / fill_timestamp. */
export function formatIst(date: Date): string {
  const d = istFields(date);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${istTimeOfDay(date)}`;
}

/** "hh:mm:ss" in IST; trade rows carry order_timestamp in this time-only form (see trades.json). */
export function istTimeOfDay(date: Date): string {
  const d = istFields(date);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** "yymmdd" of the IST date: the prefix of simulated order ids. */
export function istCompactDate(date: Date): string {
  const d = istFields(date);
  return `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}

/** Milliseconds since IST midnight; used to start id counters past any earlier run of the same day. */
export function istMillisOfDay(date: Date): number {
  const d = istFields(date);
  return ((d.getUTCHours() * 60 + d.getUTCMinutes()) * 60 + d.getUTCSeconds()) * 1000 + d.getUTCMilliseconds();
}

/** Parse an IST "yyyy-mm-dd hh:mm:ss" string back to an instant (tests and tooling; Kite never sends a zone). */
export function parseIst(text: string): Date {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(text);
  if (!match) throw new Error(`not an IST timestamp: ${text}`);
  return new Date(`${match[1]}T${match[2]}+05:30`);
}

/** Today's trading day in IST (yyyy-mm-dd), whatever the process time zone. */
export function istToday(now = new Date()): string {
  return formatIst(now).slice(0, 10);
}
