import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BrokerModule } from '../broker/broker.module';
import { GttModule } from '../gtt/gtt.module';
import { Leg } from '../broker/entities/leg.entity';
import type { LegworkConfig } from '../config/legwork.config';
import { InstrumentsModule } from '../instruments/instruments.module';
import { OrdersModule } from '../orders/orders.module';
import { MetricsModule } from '../metrics/metrics.module';
import { NotifierModule } from '../notifier/notifier.module';
import { StrategyEnvironment } from './strategy-environment';
import { StrategyContextFactory } from './strategy-context.factory';
import { StrategyDispatcher } from './strategy-dispatcher';
import { STRATEGY_FILES, StrategyExplorer } from './strategy-explorer';
import { loadStrategies } from './strategy-loader';

/**
 * Strategy plugins: the files in STRATEGIES_DIR are loaded when the application module is built, their @Strategy
 * classes become providers here (so Nest injects their dependencies). At bootstrap the explorer checks each and
 * binds its handlers to the dispatcher, which runs them isolated with a context from the context factory.
 */
@Module({})
export class StrategyHostModule {
  static forRoot(strategies: LegworkConfig['strategies']): DynamicModule {
    const loaded = loadStrategies(strategies.dir, strategies.enabled);
    return {
      module: StrategyHostModule,
      // Not global: who else needs to know which strategies run reads RunningStrategies (broker), which the host fills.
      imports: [
        DiscoveryModule,
        BrokerModule,
        GttModule,
        InstrumentsModule,
        OrdersModule,
        MetricsModule,
        NotifierModule,
        TypeOrmModule.forFeature([Leg]),
        ...loaded.modules.map((m) => m.type),
      ],
      providers: [
        StrategyExplorer,
        StrategyDispatcher,
        StrategyContextFactory,
        StrategyEnvironment,
        { provide: STRATEGY_FILES, useValue: loaded.files },
        ...loaded.strategies.map((s) => s.type),
      ],
    };
  }
}
