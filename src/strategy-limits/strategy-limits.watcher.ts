import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { RunningStrategies } from '../broker/running-strategies';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { FILLS_PRICED, FillsPricedEvent } from '../events/fill.events';
import { LegEventName, LegPlacedEvent } from '../events/leg.events';
import { OrderEventName } from '../events/order-event-names';
import type { OrderFilledEvent } from '../events/order.events';
import { StrategySettings } from '../config/strategy-settings';
import { TradeLogService } from '../trade-log/trade-log.service';
import { istToday } from '../market/ist-time';
import { KillSwitchService } from '../rails/kill-switch.service';

export interface StrategyLimits {
  maxLoss?: number;
  maxOpenQuantity?: number;
}

/**
 * Per-strategy limits that trip the kill switch: <STRATEGY>_MAX_LOSS (today's realised loss, FIFO within its chains)
 * and <STRATEGY>_MAX_OPEN_QUANTITY (quantity bought or sold today and not yet matched). Checked after every fill and
 * every leg placed.
 */
@Injectable()
export class StrategyLimitsWatcher {
  private readonly logger = new Logger('StrategyLimits');

  constructor(
    private readonly strategies: RunningStrategies,
    private readonly tradeLog: TradeLogService,
    private readonly killSwitch: KillSwitchService,
    private readonly config: ConfigService<LegworkConfig, true>,
  ) {}

  limitsOf(strategy: string): StrategyLimits {
    const settings = new StrategySettings(strategy, this.config.get('strategies', { infer: true }).settings);
    const maxLoss = settings.string('max_loss') === undefined ? undefined : settings.number('max_loss', 0, { min: 0 });
    const maxOpen = settings.string('max_open_quantity') === undefined ? undefined : settings.number('max_open_quantity', 0, { min: 0 });
    return { maxLoss, maxOpenQuantity: maxOpen };
  }

  /** After every fill, every fill priced late from Kite's trades, and every leg placed (a chain belongs to a strategy from its first leg on). */
  @OnEvent(OrderEventName.Filled)
  @OnEvent(FILLS_PRICED)
  @OnEvent(LegEventName.Placed)
  async onChange(_event: OrderFilledEvent | FillsPricedEvent | LegPlacedEvent): Promise<void> {
    try {
      await this.check();
    } catch (error) {
      this.logger.error(`strategy limits could not be checked: ${errorText(error)}`);
    }
  }

  /** Trip the kill switch for the first strategy over a limit; returns the breach, if any. */
  async check(): Promise<string | null> {
    for (const { name } of this.strategies.all) {
      const limits = this.limitsOf(name);
      if (limits.maxLoss === undefined && limits.maxOpenQuantity === undefined) continue;
      const report = await this.tradeLog.pnl({ date: istToday(), strategy: name });
      const realised = report.chains.reduce((sum, c) => sum + c.realised, 0);
      const open = report.chains.reduce((sum, c) => sum + c.openQuantity, 0);
      let breach: string | null = null;
      if (limits.maxLoss !== undefined && -realised > limits.maxLoss) {
        breach = `strategy ${name} lost ${(-realised).toFixed(2)} today, over its limit of ${limits.maxLoss} (${name.toUpperCase().replace(/-/g, '_')}_MAX_LOSS)`;
      } else if (limits.maxOpenQuantity !== undefined && open > limits.maxOpenQuantity) {
        breach = `strategy ${name} has ${open} open quantity, over its limit of ${limits.maxOpenQuantity} (${name.toUpperCase().replace(/-/g, '_')}_MAX_OPEN_QUANTITY)`;
      }
      if (breach) {
        if (!(await this.killSwitch.status()).tripped) await this.killSwitch.trip(breach, `limit:${name}`);
        return breach;
      }
    }
    return null;
  }
}
