import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { LegworkConfig } from '../config/legwork.config';
import { formatIst, IST_OFFSET_MS, istMillisOfDay } from './ist-time';

/** NSE and BSE equity and F&O: the normal session ends at 15:30 IST. */
export const MARKET_CLOSE = '15:30';
/** Zerodha squares off intraday (MIS) positions itself from these times (support article, kite-facts-2 §3); it may advance them. */
export const ZERODHA_AUTO_SQUARE_OFF = { equity: '15:20', fno: '15:25' } as const;

/** Which of Zerodha's own square-offs an HH:MM time comes after (they close intraday positions first, and charge for it), or null. */
export function afterZerodhaSquareOff(clock: string): string | null {
  if (minutesOf(clock) > minutesOf(ZERODHA_AUTO_SQUARE_OFF.fno)) return `equity (${ZERODHA_AUTO_SQUARE_OFF.equity}) and F&O (${ZERODHA_AUTO_SQUARE_OFF.fno})`;
  if (minutesOf(clock) > minutesOf(ZERODHA_AUTO_SQUARE_OFF.equity)) return `equity (${ZERODHA_AUTO_SQUARE_OFF.equity})`;
  return null;
}

/** Mon–Fri 09:00–15:45 IST: when a periodic reconcile is worth its API calls. */
export function isMarketHours(now: Date): boolean {
  const ist = new Date(now.getTime() + IST_OFFSET_MS);
  const minutes = ist.getUTCHours() * 60 + ist.getUTCMinutes();
  const day = ist.getUTCDay();
  return day >= 1 && day <= 5 && minutes >= 9 * 60 && minutes <= 15 * 60 + 45;
}

/** Minutes since midnight of an HH:MM time. */
export function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours * 60 + minutes;
}

/**
 * The engine's market calendar: today's IST trading day, whether the market trades on a day (Monday to Friday, not
 * in MARKET_HOLIDAYS), and the time of day in IST. Built on the IST helpers (./ist-time.ts) that the simulator, the
 * trade log and reconcile use too, not a copy of them. `now()` is the one clock the
 * square-off and the positions check read, so a test can put the engine at 15:16 on a Wednesday.
 */
@Injectable()
export class MarketClock {
  private readonly holidays: ReadonlySet<string>;

  constructor(config: ConfigService<LegworkConfig, true>) {
    this.holidays = new Set(config.get('market', { infer: true }).holidays);
  }

  now(): Date {
    return new Date();
  }

  /** The IST calendar day (yyyy-mm-dd) of an instant. */
  day(at: Date = this.now()): string {
    return formatIst(at).slice(0, 10);
  }

  /** Minutes since IST midnight. */
  minutes(at: Date = this.now()): number {
    return Math.floor(istMillisOfDay(at) / 60_000);
  }

  /** Monday to Friday and not a configured holiday. */
  isTradingDay(day: string): boolean {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    return weekday >= 1 && weekday <= 5 && !this.holidays.has(day);
  }

  /** Reconcile's market hours (Mon–Fri 09:00–15:45 IST), on a trading day. */
  isMarketHours(at: Date = this.now()): boolean {
    return this.isTradingDay(this.day(at)) && isMarketHours(at);
  }
}
