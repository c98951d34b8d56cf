import { IST_OFFSET_MS } from '../market/ist-time';

const DAY_MS = 86_400_000;

/** "08:30" → minutes after midnight; throws on anything else. */
export function minutesOfDay(hhmm: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm.trim());
  if (!match) throw new Error(`expected a time of day as HH:MM (IST), got "${hhmm}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * The trading day whose instrument list Kite serves at `now`. Kite generates the list once a day, around 08:00 IST
 * ("It's best to request it once a day, ideally at around 08:30 AM"): from `refreshAt` (minutes after IST midnight)
 * on it is today's list, before that still the previous day's. A stored list for an earlier day is stale.
 */
export function instrumentListDay(now: Date, refreshAt: number): string {
  const ist = now.getTime() + IST_OFFSET_MS; // IST wall clock, read through UTC getters
  const minutes = Math.floor((ist % DAY_MS) / 60_000);
  return new Date(minutes >= refreshAt ? ist : ist - DAY_MS).toISOString().slice(0, 10);
}

/** The next instant (after `now`) at which a new day's list becomes due: the next `refreshAt` in IST. */
export function nextRefreshAfter(now: Date, refreshAt: number): Date {
  const ist = now.getTime() + IST_OFFSET_MS;
  const todayAt = ist - (ist % DAY_MS) + refreshAt * 60_000;
  return new Date((todayAt > ist ? todayAt : todayAt + DAY_MS) - IST_OFFSET_MS);
}
