import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InstrumentsLoader } from '../instruments/instruments.loader';

/**
 * Which day's instrument list is in use, in readiness details. Never "down": postbacks must keep flowing without it;
 * `current: false` with `lastFailure` says that today's list could not be loaded and an older one is used.
 */
@Injectable()
export class InstrumentListIndicator {
  constructor(
    private readonly loader: InstrumentsLoader,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key = 'instruments') {
    const { list, due, loading, lastFailure } = await this.loader.status();
    return this.indicators.check(key).up({
      listDay: list?.listDay ?? null,
      rows: list?.rows ?? 0,
      loadedAt: list?.loadedAt ?? null,
      current: list?.current ?? false,
      due,
      loading,
      ...(lastFailure ? { lastFailure: lastFailure.reason, lastFailureAt: lastFailure.at } : {}),
    });
  }
}
