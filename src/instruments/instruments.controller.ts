import { Controller, Get, HttpCode, Inject, Post, Query, ServiceUnavailableException } from '@nestjs/common';
import { errorText } from '../common/error-text';
import { TRADE_LOG_ACCESS } from '../access/access-areas';
import { Protected } from '../access/access.guard';
import type { FreezeLimitTable } from './freeze-limits';
import { FREEZE_LIMIT_TABLE } from './freeze-limit.table';
import { InstrumentsLoader } from './instruments.loader';

/**
 * GET /instruments: which day's list is in use, whether today's is due or loading, the last failure, and the freeze
 * table. POST /instruments/refresh (?force=true to reload today's list): load it now and answer with the summary.
 * Same access rule as /reconcile (TRADE_LOG_TOKEN; required beyond loopback): it spends a Kite API call.
 */
@Controller('instruments')
@Protected(TRADE_LOG_ACCESS)
export class InstrumentsController {
  constructor(
    private readonly loader: InstrumentsLoader,
    @Inject(FREEZE_LIMIT_TABLE) private readonly freeze: FreezeLimitTable,
  ) {}

  @Get()
  async status() {
    return { ...(await this.loader.status()), freezeLimits: this.freeze };
  }

  @Post('refresh')
  @HttpCode(200)
  async refresh(@Query('force') force?: string) {
    try {
      return await this.loader.refresh('demand', { force: force === 'true' || force === '1' });
    } catch (error) {
      throw new ServiceUnavailableException(`could not load the instrument list: ${errorText(error)}; the previous list stays in use`);
    }
  }
}
