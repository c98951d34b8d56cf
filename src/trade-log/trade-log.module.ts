import { Module } from '@nestjs/common';
import { TradeLogDayView } from './day-view.service';
import { KitePositionsSource } from './kite-positions.source';
import { TradeLogApiController, TradeLogPageController } from './trade-log.controller';
import { TradeLogService } from './trade-log.service';
import { KiteSessionModule } from '../kite-session/kite-session.module';

/** Read-only review of the trade log: the /trades page and its JSON API (/api/trade-log/*), behind the access guard (TRADE_LOG_ACCESS). */
@Module({
  imports: [KiteSessionModule],
  controllers: [TradeLogPageController, TradeLogApiController],
  providers: [TradeLogService, TradeLogDayView, KitePositionsSource],
  exports: [TradeLogService, TradeLogDayView],
})
export class TradeLogModule {}
