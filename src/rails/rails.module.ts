import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { LegworkConfig } from '../config/legwork.config';
import { Leg } from '../broker/entities/leg.entity';
import { InstrumentsModule } from '../instruments/instruments.module';
import { ExternalOrder } from './entities/external-order.entity';
import { ExternalOrdersTracker } from './external-orders.tracker';
import { KillSwitchState } from './entities/kill-switch.entity';
import { OrderAction } from './entities/order-action.entity';
import { KillSwitchService } from './kill-switch.service';
import { LegworkRails } from './legwork-rails';
import { RailsController } from './rails.controller';
import { OrderSizingRail } from './order-sizing.rail';
import { OrderPacer } from './rate-limits';
import { TelegramCommandsController } from './telegram-commands.controller';
import { DatabaseModule } from '../database/database.module';
import { KiteSessionModule } from '../kite-session/kite-session.module';
import { MetricsModule } from '../metrics/metrics.module';
import { NotifierModule } from '../notifier/notifier.module';
import { BrokerModule } from '../broker/broker.module';
import { GttModule } from '../gtt/gtt.module';
import { OrdersModule } from '../orders/orders.module';

/** Safety rails every order passes in the gateway: Kite's rate limits, market protection, lot/tick/freeze sizing, the kill switch (with its endpoints), external-order tracking. Strategy limits: src/strategy-limits. */
@Module({
  imports: [
    DatabaseModule,
    KiteSessionModule,
    MetricsModule,
    NotifierModule,
    BrokerModule,
    GttModule,
    OrdersModule,
    TypeOrmModule.forFeature([KillSwitchState, OrderAction, ExternalOrder, Leg]),
    InstrumentsModule,
  ],
  controllers: [RailsController, TelegramCommandsController],
  providers: [
    {
      // One queue for the whole engine: every strategy's placements, modifications and cancellations share Kite's limits.
      provide: OrderPacer,
      inject: [ConfigService],
      useFactory: (config: ConfigService<LegworkConfig, true>) => {
        const rails = config.get('rails', { infer: true });
        return new OrderPacer({ perSecond: rails.ordersPerSecond, perMinute: rails.ordersPerMinute, marginMs: rails.pacingMarginMs });
      },
    },
    KillSwitchService,
    LegworkRails,
    OrderSizingRail,
    ExternalOrdersTracker,
  ],
  exports: [KillSwitchService, LegworkRails, ExternalOrdersTracker],
})
export class RailsModule {}
