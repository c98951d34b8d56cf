import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MarketModule } from '../market/market.module';
import { TradeLogModule } from '../trade-log/trade-log.module';
import { PositionsCheckRecord } from './entities/positions-check.entity';
import { PositionsCheckController } from './positions-check.controller';
import { PositionsCheckService } from './positions-check.service';
import { DatabaseModule } from '../database/database.module';
import { KiteSessionModule } from '../kite-session/kite-session.module';
import { MetricsModule } from '../metrics/metrics.module';
import { NotifierModule } from '../notifier/notifier.module';
import { LeadershipModule } from '../leadership/leadership.module';

/** legwork's net quantities against Kite's positions: on a timer in market hours, on demand, as a metric and an alert. */
@Module({
  imports: [
    DatabaseModule,
    LeadershipModule,
    KiteSessionModule,
    MetricsModule,
    NotifierModule,
    TypeOrmModule.forFeature([PositionsCheckRecord]),
    TradeLogModule,
    MarketModule,
  ],
  controllers: [PositionsCheckController],
  providers: [PositionsCheckService],
  exports: [PositionsCheckService],
})
export class PositionsModule {}
