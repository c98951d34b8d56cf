import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BrokerModule } from '../broker/broker.module';
import { Leg } from '../broker/entities/leg.entity';
import { GttModule } from '../gtt/gtt.module';
import { MarketModule } from '../market/market.module';
import { Order } from '../orders/entities/order.entity';
import { TradeLogModule } from '../trade-log/trade-log.module';
import { SquareOff } from './entities/square-off.entity';
import { SquareOffService } from './square-off.service';
import { DatabaseModule } from '../database/database.module';
import { KiteSessionModule } from '../kite-session/kite-session.module';
import { NotifierModule } from '../notifier/notifier.module';
import { LeadershipModule } from '../leadership/leadership.module';

/** The timed square-off (SQUARE_OFF_AT): cancel, delete GTTs, flatten each strategy's open quantity once a day. */
@Module({
  imports: [
    DatabaseModule,
    LeadershipModule,
    KiteSessionModule,
    NotifierModule,
    TypeOrmModule.forFeature([SquareOff, Leg, Order]),
    BrokerModule,
    GttModule,
    TradeLogModule,
    MarketModule,
  ],
  providers: [SquareOffService],
  exports: [SquareOffService],
})
export class SquareOffModule {}
