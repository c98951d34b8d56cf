import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { TradeLogFilter } from './trade-log.types';

/** Query string of the /api/trade-log endpoints (unknown parameters are dropped). */
export class TradeLogQuery {
  /** Trading day, yyyy-mm-dd (IST). */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be yyyy-mm-dd' })
  date?: string;

  /** Tradingsymbol, e.g. INFY or NIFTY25NOV24000CE. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  symbol?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  strategy?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  chain?: string;

  /** Order status (COMPLETE, REJECTED, …) or leg status (intent, placing, unknown, placed, failed). */
  @IsOptional()
  @IsString()
  @MaxLength(40)
  status?: string;
}

export const filterOfQuery = (q: TradeLogQuery): TradeLogFilter => ({
  date: q.date,
  tradingsymbol: q.symbol,
  strategy: q.strategy,
  chain: q.chain,
  status: q.status,
});

/** Query string of the per-day views (positions, P&L through the day, order rate): one trading day, default today. */
export class DayQuery {
  /** Trading day, yyyy-mm-dd (IST). */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be yyyy-mm-dd' })
  date?: string;
}
