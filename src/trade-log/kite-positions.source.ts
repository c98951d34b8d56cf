import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * Kite's own positions, to show beside legwork's (the /trades page and `npm run trades -- watch`): the last positions
 * check of the day (src/positions), read from the store like everything the trade log shows, so any instance (or a
 * page opened while the check is running) reads the same figures.
 */
export interface KitePositions {
  /** When Kite was asked (ISO). */
  checkedAt: string;
  /**
   * Kite's net change of the day per instrument, keyed `exchange:tradingsymbol` (quantity − overnight quantity over its
   * products): the figure legwork's net of the day's fills is compared with.
   */
  netQuantity: ReadonlyMap<string, number>;
}

export const positionKey = (exchange: string | null, tradingsymbol: string): string => `${exchange ?? '?'}:${tradingsymbol}`;

/** The last positions check of a trading day, from the `positions_checks` table the positions check writes. */
@Injectable()
export class KitePositionsSource {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The figures of the day's last check, or null when none ran that day. */
  async latest(tradingDay: string): Promise<KitePositions | null> {
    // By table name (the positions module, above this one, owns the entity); quoted for PostgreSQL's camelCase columns.
    const q = (name: string) => this.dataSource.driver.escape(name);
    const row = await this.dataSource
      .createQueryBuilder()
      .select(`${q('lines')}`, 'lines')
      .addSelect(`${q('checkedAt')}`, 'checkedAt')
      .from('positions_checks', 'c')
      .where(`${q('tradingDay')} = :tradingDay`, { tradingDay })
      .orderBy(q('id'), 'DESC')
      .limit(1)
      .getRawOne<{ lines: string; checkedAt: Date | string }>();
    if (!row) return null;
    const lines = JSON.parse(row.lines) as Array<{ exchange: string; tradingsymbol: string; kite: number }>;
    const checkedAt = row.checkedAt instanceof Date ? row.checkedAt : new Date(`${String(row.checkedAt).replace(' ', 'T')}Z`);
    return { checkedAt: checkedAt.toISOString(), netQuantity: new Map(lines.map((l) => [positionKey(l.exchange, l.tradingsymbol), l.kite])) };
  }
}
