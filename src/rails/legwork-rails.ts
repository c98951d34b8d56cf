import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { EntityManager, Repository } from 'typeorm';
import { CurrentOrder, OrderRails, OrderRailsSlot, PlacementRefusedError } from '../broker/order-rails';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { PreparedQuery } from '../database/prepared-query';
import { WriteTransactions } from '../database/write-transactions';
import { Metric } from '../metrics/metrics';
import { istToday } from '../market/ist-time';
import { OrderAction } from './entities/order-action.entity';
import { KillSwitchService } from './kill-switch.service';
import { riskAddedBy } from './kill-switch.rule';
import { Leg } from '../broker/entities/leg.entity';
import { OrderSizingRail, SizingInput } from './order-sizing.rail';
import { OrderPacer, PacerUsage } from './rate-limits';
import { textOf } from '../common/text-of';

export interface RailsUsage extends PacerUsage {
  /** Placements sent to Kite today (IST), counted in the database: every instance on it, across restarts. */
  perDay: { limit: number; used: number };
  modificationsPerOrder: { limit: number };
}

const METRICS_REFRESH_MS = 5_000;

/**
 * The checks every order passes in the gateway, whatever strategy sent it, in this order:
 * market protection → lot, tick and freeze limit (order-sizing.rail.ts) → (only when orders are queued ahead: kill
 * switch, daily order limit) → per-minute and per-second pacing (FIFO queue) → kill switch and daily limit, read and
 * counted in one write → Kite. Modifications: market protection → per-order modification limit → lot, tick and freeze
 * limit of the order's instrument → kill switch (kill-switch.rule.ts: with it tripped, only a smaller quantity) →
 * pacing → the same again → counted. Cancellations are paced only: they always go out. legwork's own
 * risk-reducing placements (a hedge group's reversal) pass the kill switch too. Counts live in order_actions.
 */
@Injectable()
export class LegworkRails implements OrderRails, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Rails');
  private readonly countPlaced: PreparedQuery<{ n: number | string }>;
  private readonly insertAction: PreparedQuery<never>;
  private refresher: NodeJS.Timeout | undefined;

  constructor(
    private readonly killSwitch: KillSwitchService,
    @InjectRepository(OrderAction) private readonly actions: Repository<OrderAction>,
    private readonly writes: WriteTransactions,
    private readonly config: ConfigService<LegworkConfig, true>,
    readonly pacer: OrderPacer,
    @InjectMetric(Metric.Orders) private readonly orders: Counter<string>,
    @InjectMetric(Metric.RailsOrderUsage) private readonly usageGauge: Gauge<string>,
    @InjectMetric(Metric.RailsOrderLimit) private readonly limitGauge: Gauge<string>,
    @InjectMetric(Metric.RailsOrdersQueued) private readonly queuedGauge: Gauge<string>,
    private readonly sizing: OrderSizingRail,
    @InjectRepository(Leg) private readonly legs: Repository<Leg>,
    private readonly slot: OrderRailsSlot,
  ) {
    // Both run in every placement's counting transaction: written once, not built per call.
    this.countPlaced = PreparedQuery.on(actions, `SELECT COUNT(*) AS "n" FROM "order_actions" WHERE "tradingDay" = :tradingDay AND "action" = 'place'`);
    this.insertAction = PreparedQuery.on(
      actions,
      `INSERT INTO "order_actions" ("action", "strategy", "orderId", "tradingDay", "at") VALUES (:action, :strategy, :orderId, :tradingDay, :at)`,
    );
  }

  onModuleInit(): void {
    // The broker's gateway and GTT service check every order through its slot: from now on, through these rails.
    this.slot.install(this);
    const rails = this.config.get('rails', { infer: true });
    this.limitGauge.set({ window: 'second' }, rails.ordersPerSecond);
    this.limitGauge.set({ window: 'minute' }, rails.ordersPerMinute);
    this.limitGauge.set({ window: 'day' }, rails.ordersPerDay);
    this.limitGauge.set({ window: 'modifications_per_order' }, rails.modificationsPerOrder);
    // The day's count can change from elsewhere (another instance on the same database), and rolling windows empty.
    this.refresher = setInterval(() => void this.usage().catch((e) => this.logger.warn(`rails usage not refreshed: ${errorText(e)}`)), METRICS_REFRESH_MS);
    this.refresher.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.refresher);
  }

  async beforePlace(leg: Leg, params: Record<string, unknown>): Promise<void> {
    this.applyMarketProtection(params);
    await this.assertSized('place', String(params.exchange), String(params.tradingsymbol), params);
    const { ordersPerDay } = this.config.get('rails', { infer: true });
    // With orders queued, refused at once when already over (no point waiting); checked again after the queue
    // either way (see below), so with nobody queued that one check is all it takes.
    // A reversal that takes risk off goes out with the switch tripped (that is when it matters most).
    const armed = async (m?: EntityManager, when?: string) => (leg.reducesRisk ? undefined : this.assertArmed(m, when));
    if (this.pacer.waiting > 0) {
      await armed();
      this.assertUnderDailyLimit(await this.placedToday(this.actions.manager), ordersPerDay);
    }
    await this.pace('place', leg.strategy, null, async (m) => {
      // The order may have waited in the queue: the switch may have been tripped and other orders may have used up
      // the day meanwhile. Checked and counted in one write transaction, so two queued orders cannot both take the last one.
      await armed(m, ' while the order was queued');
      this.assertUnderDailyLimit(await this.placedToday(m), ordersPerDay);
    });
  }

  async beforeModify(orderId: string, params: Record<string, unknown>, current?: () => Promise<CurrentOrder | null>): Promise<void> {
    this.applyMarketProtection(params, true);
    const { modificationsPerOrder } = this.config.get('rails', { infer: true });
    this.assertUnderModificationLimit(orderId, await this.actions.countBy({ orderId, action: 'modify' }), modificationsPerOrder);
    let order: Promise<CurrentOrder | null> | undefined;
    const read = () => (order ??= (current?.() ?? Promise.resolve(null)).catch(() => null));
    if (params.quantity !== undefined || params.price !== undefined || params.trigger_price !== undefined) {
      const instrument = await this.instrumentOf(orderId, read);
      if (instrument) await this.assertSized('modify', instrument.exchange, instrument.tradingsymbol, params, ` (modification of order ${orderId})`);
    }
    await this.assertModificationAllowed(orderId, params, read);
    await this.pace(
      'modify',
      null,
      orderId,
      async (m) => {
        this.assertUnderModificationLimit(orderId, await m.countBy(OrderAction, { orderId, action: 'modify' }), modificationsPerOrder);
      },
      // The switch may have been tripped while it queued. Kite is asked outside the write transaction.
      () => this.assertModificationAllowed(orderId, params, read, ' while the modification was queued'),
    );
  }

  /** Cancellations are order requests too: they take their turn in the same queue, but count against no limit. */
  async beforeCancel(): Promise<void> {
    this.queuedGauge.set(this.pacer.waiting + 1);
    await this.pacer.take();
    this.queuedGauge.set(this.pacer.waiting);
  }

  /**
   * A GTT is an order waiting for its price: placing or changing one adds risk, so the kill switch refuses both (deleting
   * one takes risk off and always goes out). GTT requests are not order placements: no pacing, no daily count.
   */
  async beforeGtt(action: 'place' | 'modify', strategy: string): Promise<void> {
    const state = await this.killSwitch.status();
    if (state.tripped) {
      throw this.refuse(
        `gtt_${action}`,
        'KillSwitch',
        `kill switch tripped (${state.reason ?? 'no reason given'}): GTT ${action === 'place' ? 'placement' : 'modification'} for ${strategy} refused; re-arm it first`,
      );
    }
  }

  /** Current usage of Kite's limits (the endpoint and the gauges). */
  async usage(): Promise<RailsUsage> {
    const rails = this.config.get('rails', { infer: true });
    const pacer = this.pacer.usage();
    const today = await this.placedToday(this.actions.manager);
    this.usageGauge.set({ window: 'second' }, pacer.perSecond.used);
    this.usageGauge.set({ window: 'minute' }, pacer.perMinute.used);
    this.usageGauge.set({ window: 'day' }, today);
    this.queuedGauge.set(pacer.queued);
    return { ...pacer, perDay: { limit: rails.ordersPerDay, used: today }, modificationsPerOrder: { limit: rails.modificationsPerOrder } };
  }

  /** Lot size, tick size and the freeze limit (order-sizing.rail.ts); refused here, before Kite sees the order. */
  private async assertSized(action: 'place' | 'modify', exchange: string, tradingsymbol: string, params: Record<string, unknown>, what = ''): Promise<void> {
    const number = (value: unknown) => (value === undefined || value === null || value === '' ? undefined : Number(value));
    const order: SizingInput = {
      quantity: number(params.quantity),
      price: number(params.price),
      trigger_price: number(params.trigger_price),
      order_type: params.order_type === undefined ? undefined : textOf(params.order_type),
      variety: params.variety === undefined ? undefined : textOf(params.variety),
      autoslice: params.autoslice === true,
    };
    const refusal = await this.sizing.check(exchange, tradingsymbol, order);
    if (refusal) throw this.refuse(action, refusal.code, `${refusal.message}${what}`);
  }

  /** A modified order's instrument: from the leg that placed it, else from Kite (the order's history). */
  private async instrumentOf(orderId: string, current: () => Promise<CurrentOrder | null>): Promise<{ exchange: string; tradingsymbol: string } | null> {
    const leg = await this.legs.findOne({ where: { orderId }, select: { id: true, request: true } });
    const sent = leg && (JSON.parse(leg.request) as { exchange?: string; tradingsymbol?: string });
    if (sent?.exchange && sent.tradingsymbol) return { exchange: sent.exchange, tradingsymbol: sent.tradingsymbol };
    const order = await current();
    return order?.exchange && order.tradingsymbol ? { exchange: order.exchange, tradingsymbol: order.tradingsymbol } : null;
  }

  /** With the switch tripped, a modification goes out only if it adds no risk (kill-switch.rule.ts). */
  private async assertModificationAllowed(
    orderId: string,
    params: Record<string, unknown>,
    current: () => Promise<CurrentOrder | null>,
    when = '',
  ): Promise<void> {
    const state = await this.killSwitch.status();
    if (!state.tripped) return;
    const risk = riskAddedBy(await current(), params);
    if (risk) {
      throw this.refuse(
        'modify',
        'KillSwitch',
        `kill switch tripped${when} (${state.reason ?? 'no reason given'}): modification of order ${orderId} refused, ${risk}; only cancellations and smaller quantities go out until it is re-armed`,
      );
    }
  }

  private async assertArmed(manager?: EntityManager, when = ''): Promise<void> {
    const state = await this.killSwitch.status(manager);
    if (state.tripped) {
      throw this.refuse('place', 'KillSwitch', `kill switch tripped${when} (${state.reason ?? 'no reason given'}); re-arm it to place orders again`);
    }
  }

  private async placedToday(manager: EntityManager): Promise<number> {
    return Number((await this.countPlaced.one({ tradingDay: istToday() }, manager))?.n ?? 0);
  }

  private assertUnderDailyLimit(today: number, limit: number): void {
    if (today >= limit) {
      throw this.refuse('place', 'DailyOrderLimit', `daily order limit reached: ${today} of ${limit} orders placed today (ORDERS_PER_DAY)`);
    }
  }

  private assertUnderModificationLimit(orderId: string, done: number, limit: number): void {
    if (done >= limit) {
      throw this.refuse('modify', 'ModificationLimit', `order ${orderId} was modified ${done} times, Kite's limit is ${limit} (MODIFICATIONS_PER_ORDER)`);
    }
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
      onlyIfTypeGiven ? 'modify' : 'place',
      'MarketProtectionRequired',
      `${type} orders need a non-zero market_protection (percent, or -1 for Kite's automatic); set it on the order or MARKET_PROTECTION_DEFAULT`,
    );
  }

  /** Wait for a turn in the shared queue, then re-check and count the action (one write transaction). */
  private async pace(
    action: 'place' | 'modify',
    strategy: string | null,
    orderId: string | null,
    recheck: (manager: EntityManager) => Promise<void>,
    afterTurn?: () => Promise<void>,
  ): Promise<void> {
    if (this.pacer.waiting > 0) this.orders.inc({ action, outcome: 'rate_limited' });
    this.queuedGauge.set(this.pacer.waiting + 1);
    await this.pacer.take();
    this.queuedGauge.set(this.pacer.waiting);
    await afterTurn?.();
    // Counted when it leaves: the daily and per-order limits count what Kite saw.
    await this.writes.run(
      async (m) => {
        await recheck(m);
        await this.insertAction.execute({ action, strategy, orderId, tradingDay: istToday(), at: new Date() }, m);
      },
      { durable: false },
    );
    if (action === 'place') this.usageGauge.inc({ window: 'day' });
    const pacer = this.pacer.usage();
    this.usageGauge.set({ window: 'second' }, pacer.perSecond.used);
    this.usageGauge.set({ window: 'minute' }, pacer.perMinute.used);
  }

  private refuse(action: string, code: string, message: string): PlacementRefusedError {
    this.orders.inc({ action, outcome: 'refused' });
    this.logger.warn({ reason: code }, message);
    return new PlacementRefusedError(code, message);
  }
}
