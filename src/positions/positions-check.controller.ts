import { Controller, Get, Header, HttpCode, Post, ServiceUnavailableException } from '@nestjs/common';
import { errorText } from '../common/error-text';
import { TRADE_LOG_ACCESS } from '../access/access-areas';
import { Protected } from '../access/access.guard';
import { PositionsCheck, PositionsCheckService } from './positions-check.service';

/**
 * The positions check beside the trade log's API (same access rule, TRADE_LOG_TOKEN): GET the last check, POST to
 * check now (Kite's positions are read). Read-only as far as trading goes.
 */
@Controller('api/trade-log/positions-check')
@Protected(TRADE_LOG_ACCESS)
export class PositionsCheckController {
  constructor(private readonly positions: PositionsCheckService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async latest(): Promise<{ check: PositionsCheck | null }> {
    return { check: await this.positions.latest() };
  }

  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async checkNow(): Promise<{ check: PositionsCheck }> {
    try {
      return { check: await this.positions.check('demand') };
    } catch (error) {
      throw new ServiceUnavailableException(`Kite's positions could not be read: ${errorText(error)}`);
    }
  }
}
