import { Module } from '@nestjs/common';
import { TradeLogDayView } from './day-view.service';
import { KitePositionsSource } from './kite-positions.source';
import { TradeLogAuthGuard } from './trade-log-auth.guard';
import { TradeLogApiController, TradeLogPageController } from './trade-log.controller';
import { TradeLogService } from './trade-log.service';

/** Read-only review of the trade log: the /trades page and its JSON API (/api/trade-log/*), behind TradeLogAuthGuard. */
@Module({
  controllers: [TradeLogPageController, TradeLogApiController],
  providers: [TradeLogService, TradeLogDayView, TradeLogAuthGuard, KitePositionsSource],
  exports: [TradeLogService, TradeLogDayView, TradeLogAuthGuard],
})
export class TradeLogModule {}
