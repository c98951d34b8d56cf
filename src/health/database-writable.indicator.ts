import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { errorText } from '../common/error-text';
import { WriteTransactions } from '../database/write-transactions';
import { InboxEntry } from '../inbox/inbox-entry.entity';

/**
 * Readiness needs more than a ping: the inbox must accept writes, or acknowledged postbacks could not be stored.
 * Writes nothing (the update matches no row) but still takes the write lock, so a read-only store fails it.
 */
@Injectable()
export class DatabaseWritableIndicator {
  constructor(
    private readonly writes: WriteTransactions,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key = 'database') {
    const indicator = this.indicators.check(key);
    try {
      await this.writes.run((m) => m.createQueryBuilder().update(InboxEntry).set({ attempts: 0 }).where('1 = 0').execute(), { durable: false });
      return indicator.up({ writable: true });
    } catch (error) {
      return indicator.down({ writable: false, error: errorText(error) });
    }
  }
}
