import { Controller, HttpCode, Post, ServiceUnavailableException } from '@nestjs/common';
import { errorText } from '../common/error-text';
import { TRADE_LOG_ACCESS } from '../access/access-areas';
import { Protected } from '../access/access.guard';
import { ReconcileService, ReconcileSummary } from './reconcile.service';

/**
 * POST /reconcile: reconcile with Kite now (e.g. after a network outage); answers with what was found.
 * Same access rule as the trade log (TRADE_LOG_TOKEN; required beyond loopback): it spends Kite API calls.
 */
@Controller('reconcile')
@Protected(TRADE_LOG_ACCESS)
export class ReconcileController {
  constructor(private readonly reconcile: ReconcileService) {}

  @Post()
  @HttpCode(200)
  async run(): Promise<ReconcileSummary> {
    try {
      return await this.reconcile.reconcile('demand');
    } catch (error) {
      throw new ServiceUnavailableException(`could not read Kite's order book: ${errorText(error)}`);
    }
  }
}
