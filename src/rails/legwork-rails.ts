import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { Repository } from 'typeorm';
import type { Leg } from '../broker/entities/leg.entity';
import { OrderRails, PlacementRefusedError } from '../broker/order-rails';
import type { LegworkConfig } from '../config/legwork.config';
import { WriteTransactions } from '../database/write-transactions';
import { Metric } from '../metrics/metrics';
import { istToday } from '../trade-log/trade-log.service';
import { OrderAction } from './entities/order-action.entity';
import { KillSwitchService } from './kill-switch.service';
import { OrderPacer } from './rate-limits';

/**
 * The checks every order passes in the gateway, whatever strategy sent it, in this order:
 * kill switch → market protection → daily order limit → per-minute and per-second pacing (FIFO queue).
 * Modifications: per-order modification limit → pacing. Counts live in the order_actions table.
 */
@Injectable()
export class LegworkRails implements OrderRails {
  private readonly logger = new Logger('Rails');
  readonly pacer: OrderPacer;

  constructor(
    private readonly killSwitch: KillSwitchService,
    @InjectRepository(OrderAction) private readonly actions: Repository<OrderAction>,
    private readonly writes: WriteTransactions,
    private readonly config: ConfigService<LegworkConfig, true>,
    @InjectMetric(Metric.Orders) private readonly orders: Counter<string>,
  ) {
    const rails = this.config.get('rails', { infer: true });
    this.pacer = new OrderPacer({ perSecond: rails.ordersPerSecond, perMinute: rails.ordersPerMinute });
  }

  async beforePlace(leg: Leg, params: Record<string, unknown>): Promise<void> {
    const switchState = await this.killSwitch.status();
    if (switchState.tripped) {
      throw this.refuse('place', 'KillSwitch', `kill switch is tripped (${switchState.reason ?? 'no reason given'}); re-arm it to place orders again`);
    }
    this.applyMarketProtection(params);
    const { ordersPerDay } = this.config.get('rails', { infer: true });
    const today = await this.actions.countBy({ tradingDay: istToday(), action: 'place' });
    if (today >= ordersPerDay) {
      throw this.refuse('place', 'DailyOrderLimit', `daily order limit reached: ${today} of ${ordersPerDay} orders placed today (ORDERS_PER_DAY)`);
    }
    await this.pace('place', leg.strategy, null, async () => {
      // Tripped while this order waited in the queue: it must not leave either.
      const now = await this.killSwitch.status();
      if (now.tripped) throw this.refuse('place', 'KillSwitch', `kill switch tripped while the order was queued (${now.reason ?? 'no reason given'})`);
    });
  }

  async beforeModify(orderId: string, params: Record<string, unknown>): Promise<void> {
    this.applyMarketProtection(params, true);
    const { modificationsPerOrder } = this.config.get('rails', { infer: true });
    const done = await this.actions.countBy({ orderId, action: 'modify' });
    if (done >= modificationsPerOrder) {
      throw this.refuse('modify', 'ModificationLimit', `order ${orderId} was modified ${done} times, Kite's limit is ${modificationsPerOrder} (MODIFICATIONS_PER_ORDER)`);
    }
    await this.pace('modify', null, orderId);
  }

  /**
   * Kite refuses MARKET and SL-M orders without market protection since 2026-04: fill in the configured default,
   * or refuse here with a message that says what to do, instead of learning it from a rejection.
   */
  private applyMarketProtection(params: Record<string, unknown>, onlyIfTypeGiven = false): void {
    const type = params.order_type;
    if (onlyIfTypeGiven && type === undefined) return;
    if (type !== 'MARKET' && type !== 'SL-M') return;
    const given = Number(params.market_protection ?? 0);
    if (given !== 0 && Number.isFinite(given)) return;
    const fallback = this.config.get('rails', { infer: true }).marketProtectionDefault;
    if (fallback !== undefined && fallback !== 0) {
      params.market_protection = fallback;
      return;
    }
    throw this.refuse(
      'place',
      'MarketProtectionRequired',
      `${type} orders need a non-zero market_protection (percent, or -1 for Kite's automatic); set it on the order or MARKET_PROTECTION_DEFAULT`,
    );
  }

  private async pace(action: 'place' | 'modify', strategy: string | null, orderId: string | null, recheck?: () => Promise<void>): Promise<void> {
    if (this.pacer.waiting > 0) this.orders.inc({ action, outcome: 'rate_limited' });
    await this.pacer.take();
    await recheck?.();
    // Counted when it leaves: the daily and per-order limits count what Kite saw.
    await this.writes.run((m) => m.insert(OrderAction, { action, strategy, orderId, tradingDay: istToday() }), { durable: false });
  }

  private refuse(action: string, code: string, message: string): PlacementRefusedError {
    this.orders.inc({ action, outcome: 'refused' });
    this.logger.warn({ reason: code }, message);
    return new PlacementRefusedError(code, message);
  }
}
