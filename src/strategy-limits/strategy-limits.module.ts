import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module';
import { RailsModule } from '../rails/rails.module';
import { TradeLogModule } from '../trade-log/trade-log.module';
import { StrategyLimitsWatcher } from './strategy-limits.watcher';

/**
 * Per-strategy limits (<STRATEGY>_MAX_LOSS, <STRATEGY>_MAX_OPEN_QUANTITY): today's P&L and open quantity from the
 * trade log, the kill switch from the rails. Above both, so the rails do not depend on the trade log.
 */
@Module({ imports: [BrokerModule, RailsModule, TradeLogModule], providers: [StrategyLimitsWatcher] })
export class StrategyLimitsModule {}
