import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { loadLegworkConfig, LegworkConfig } from './config/legwork.config';
import { AccessModule } from './access/access.module';
import { DatabaseModule } from './database/database.module';
import { LeadershipModule } from './leadership/leadership.module';
import { HealthModule } from './health/health.module';
import { InboxModule } from './inbox/inbox.module';
import { InstrumentsModule } from './instruments/instruments.module';
import { KiteSessionModule } from './kite-session/kite-session.module';
import { LiveModule } from './live/live.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { OrderStreamModule } from './order-stream/order-stream.module';
import { OrdersModule } from './orders/orders.module';
import { ReconcileModule } from './reconcile/reconcile.module';
import { PostbackModule } from './postback/postback.module';
import { TradeLogModule } from './trade-log/trade-log.module';
import { NotifierModule } from './notifier/notifier.module';
import { StrategyHostModule } from './strategy-host/strategy-host.module';
import { PaperModule } from './paper/paper.module';
import { SquareOffModule } from './square-off/square-off.module';
import { StrategyLimitsModule } from './strategy-limits/strategy-limits.module';
import { PositionsModule } from './positions/positions.module';

/**
 * Wiring only. Built from the environment (validated first) because some modules, such as the postback route,
 * are shaped by configuration. Tests pass their own environment instead of mutating process.env.
 */
@Module({})
export class AppModule {
  static forRoot(env: Record<string, string | undefined> = process.env): DynamicModule {
    const config: LegworkConfig = loadLegworkConfig(env);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
        EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false }),
        LoggingModule,
        MetricsModule,
        AccessModule,
        DatabaseModule,
        LeadershipModule,
        KiteSessionModule,
        InstrumentsModule,
        OrdersModule,
        InboxModule,
        PostbackModule.forRoot(config.postback.path),
        OrderStreamModule,
        ReconcileModule,
        NotifierModule,
        StrategyHostModule.forRoot(config.strategies),
        // Never in live mode: these endpoints place orders for the demo.
        ...(config.mode === 'paper' && config.kite.rootUrl ? [PaperModule] : []),
        HealthModule,
        TradeLogModule,
        LiveModule,
        SquareOffModule,
        StrategyLimitsModule,
        PositionsModule,
      ],
    };
  }
}
