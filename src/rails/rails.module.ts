import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Leg } from '../broker/entities/leg.entity';
import { TradeLogModule } from '../trade-log/trade-log.module';
import { KillSwitchState } from './entities/kill-switch.entity';
import { OrderAction } from './entities/order-action.entity';
import { KillSwitchService } from './kill-switch.service';
import { LegworkRails } from './legwork-rails';
import { RailsController } from './rails.controller';
import { TelegramCommandsController } from './telegram-commands.controller';
import { StrategyLimitsWatcher } from './strategy-limits.watcher';

/** Safety rails every order passes in the gateway: Kite's rate limits, market protection, the kill switch, strategy limits. */
@Module({
  imports: [TypeOrmModule.forFeature([KillSwitchState, OrderAction, Leg]), TradeLogModule],
  controllers: [RailsController, TelegramCommandsController],
  providers: [KillSwitchService, LegworkRails, StrategyLimitsWatcher],
  exports: [KillSwitchService, LegworkRails],
})
export class RailsModule {}
