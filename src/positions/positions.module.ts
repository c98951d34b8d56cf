import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MarketModule } from '../market/market.module';
import { TradeLogAuthGuard } from '../trade-log/trade-log-auth.guard';
import { TradeLogModule } from '../trade-log/trade-log.module';
import { PositionsCheckRecord } from './entities/positions-check.entity';
import { PositionsCheckController } from './positions-check.controller';
import { PositionsCheckService } from './positions-check.service';

/** legwork's net quantities against Kite's positions: on a timer in market hours, on demand, as a metric and an alert. */
@Module({
  imports: [TypeOrmModule.forFeature([PositionsCheckRecord]), TradeLogModule, MarketModule],
  controllers: [PositionsCheckController],
  providers: [PositionsCheckService, TradeLogAuthGuard],
  exports: [PositionsCheckService],
})
export class PositionsModule {}
