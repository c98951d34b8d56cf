import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DiscoveryService } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { Repository } from 'typeorm';
import { Leg } from '../broker/entities/leg.entity';
import { isLegTag } from '../broker/leg-tag';
import { OrderGateway } from '../broker/order-gateway.service';
import { LegGroupService } from '../broker/leg-group.service';
import { RunningStrategies, RunningStrategy } from '../broker/running-strategies';
import { errorText } from '../common/error-text';
import { GttOrderLinker } from '../gtt/gtt-order-linker';
import { GttService } from '../gtt/gtt.service';
import type { LegworkConfig } from '../config/legwork.config';
import { ALL_ORDER_EVENT_NAMES, OrderEventName } from '../events/order-event-names';
import type { AnyOrderEvent } from '../events/order.events';
import { InstrumentsService } from '../instruments/instruments.service';
import { Metric } from '../metrics/metrics';
import { Notifier } from '../notifier/notifier.service';
import { DeliveryHolds } from '../orders/delivery-holds';
import { StrategySettings } from '../config/strategy-settings';
import { ORDER_EVENT_HANDLERS, OrderEventHandlerMetadata, StrategyMarker } from './strategy.decorators';
import type { LegInfo, OrderEventFilter, StrategyContext } from './strategy.interfaces';

interface BoundHandler {
  strategy: string;
  label: string;
  filter: OrderEventFilter;
  invoke: (event: AnyOrderEvent, context: StrategyContext) => unknown;
}


const TIMED_OUT = Symbol('timed out');

/** The strategy files loaded from STRATEGIES_DIR (for the start-up log). */
export const STRATEGY_FILES = Symbol('STRATEGY_FILES');

function matches(value: string | null | undefined, pattern: string | RegExp | Array<string | RegExp> | undefined): boolean {
  if (pattern === undefined) return true;
  if (value === null || value === undefined) return false;
  return [pattern].flat().some((p) => (typeof p === 'string' ? p === value : p.test(value)));
}

/**
 * Finds the @Strategy providers (explorer pattern, as @nestjs/event-emitter and @nestjs/schedule do), binds their
 * @OnOrderEvent methods to the order events, and runs each handler isolated: a handler that throws is logged with its
 * strategy's name and counted; one that hangs is reported after STRATEGY_TIMEOUT_MS and the bus moves on, but the
 * event is not marked delivered while the handler may still be running (DeliveryHolds): after a crash meanwhile it
 * is delivered again. Neither reaches ingress or another strategy.
 */
@Injectable()
export class StrategyHost implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Strategies');
  private readonly handlers = new Map<OrderEventName, BoundHandler[]>();
  private readonly listeners: Array<[string, (event: AnyOrderEvent) => Promise<void>]> = [];
  private readonly strategyParts = new Map<string, { logger: Logger; settings: StrategySettings }>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly bus: EventEmitter2,
    private readonly gateway: OrderGateway,
    private readonly groups: LegGroupService,
    private readonly notifier: Notifier,
    private readonly holds: DeliveryHolds,
    private readonly config: ConfigService<LegworkConfig, true>,
    @InjectRepository(Leg) private readonly legs: Repository<Leg>,
    @InjectMetric(Metric.StrategyHandlerSeconds) private readonly durations: Histogram<string>,
    @InjectMetric(Metric.StrategyFailures) private readonly failures: Counter<string>,
    @Inject(STRATEGY_FILES) private readonly files: string[],
    private readonly instruments: InstrumentsService,
    private readonly gtts: GttService,
    private readonly gttOrders: GttOrderLinker,
    private readonly running: RunningStrategies,
  ) {}

  /** Subscribes before the inbox processor's first pass (which waits for application bootstrap). */
  onModuleInit(): void {
    const { enabled } = this.config.get('strategies', { infer: true });
    const seen = new Set<string>();
    for (const wrapper of this.discovery.getProviders({ metadataKey: StrategyMarker.KEY })) {
      const options = this.discovery.getMetadataByDecorator(StrategyMarker, wrapper);
      const instance = wrapper.instance as Record<string | symbol, unknown> | undefined;
      if (!options || !instance || wrapper.isAlias) continue;
      if (enabled === 'none' || (enabled !== 'all' && !enabled.includes(options.name))) continue;
      if (seen.has(options.name)) throw new Error(`two strategies are named "${options.name}"`);
      seen.add(options.name);
      if (!wrapper.isDependencyTreeStatic()) throw new Error(`strategy "${options.name}" must not be request-scoped`);

      const declared: Array<OrderEventHandlerMetadata & { method: string | symbol }> =
        Reflect.getMetadata(ORDER_EVENT_HANDLERS, instance.constructor) ?? [];
      if (declared.length === 0) throw new Error(`strategy "${options.name}" has no @OnOrderEvent() handler`);
      const labels: string[] = [];
      for (const { method, events, filter } of declared) {
        const fn = instance[method];
        if (typeof fn !== 'function') throw new Error(`strategy "${options.name}": @OnOrderEvent on ${String(method)}, which is not a method`);
        for (const name of events) {
          if (!ALL_ORDER_EVENT_NAMES.includes(name)) throw new Error(`strategy "${options.name}".${String(method)} subscribes to unknown event "${name}"`);
          const label = `${options.name}.${String(method)}`;
          const list = this.handlers.get(name) ?? [];
          list.push({ strategy: options.name, label, filter, invoke: (event, context) => fn.call(instance, event, context) });
          this.handlers.set(name, list);
          labels.push(`${String(method)}(${name})`);
        }
      }
      const claimed = declared.flatMap(({ filter }) => (filter.tag === undefined ? [] : [filter.tag]));
      this.running.add({ name: options.name, description: options.description, handlers: labels }, (tag) => claimed.some((pattern) => matches(tag, pattern)));
    }
    if (enabled !== 'all' && enabled !== 'none') {
      const missing = enabled.filter((name) => !seen.has(name));
      if (missing.length > 0) throw new Error(`STRATEGIES names unknown strategies: ${missing.join(', ')}`);
    }
    for (const name of this.handlers.keys()) {
      const listener = (event: AnyOrderEvent) => this.dispatch(name, event);
      this.bus.on(name, listener);
      this.listeners.push([name, listener]);
    }
    const dir = this.config.get('strategies', { infer: true }).dir;
    if (this.files.length > 0) this.logger.log(`loaded ${this.files.length} strategy file(s) from ${dir}`);
    if (this.running.all.length === 0) this.logger.log('no strategies running');
    for (const s of this.running.all) this.logger.log(`strategy ${s.name} running: ${s.handlers.join(', ')}`);
  }

  onModuleDestroy(): void {
    for (const [name, listener] of this.listeners) this.bus.off(name, listener);
  }

  get strategies(): readonly RunningStrategy[] {
    return this.running.all;
  }

  /** Runs every interested handler of every strategy side by side; resolves when all have finished or timed out. */
  private async dispatch(name: OrderEventName, event: AnyOrderEvent): Promise<void> {
    const handlers = this.handlers.get(name) ?? [];
    const leg = await this.legOf(event);
    const interested = handlers.filter((h) => this.wants(h, event, leg));
    await Promise.all(interested.map((handler) => this.run(handler, event, leg)));
  }

  private wants({ strategy, filter }: BoundHandler, event: AnyOrderEvent, leg: LegInfo | null): boolean {
    const order = event.order;
    const own = leg?.strategy === strategy;
    if (filter.sources && !filter.sources.includes(event.source)) return false;
    if ((filter.own || filter.legName !== undefined) && !own) return false;
    if (filter.legName !== undefined && !matches(leg?.legName, filter.legName)) return false;
    if (!matches(order.tradingsymbol, filter.tradingsymbol)) return false;
    if (!matches(order.exchange, filter.exchange)) return false;
    if (filter.transactionType && order.transactionType !== filter.transactionType) return false;
    if (filter.tag !== undefined) return matches(order.tag, filter.tag);
    // No tag asked for: this strategy's own legs, or anything at all when it opted in to external orders.
    return own || filter.external === true;
  }

  private async run(handler: BoundHandler, event: AnyOrderEvent, leg: LegInfo | null): Promise<void> {
    const timeoutMs = this.config.get('strategies', { infer: true }).handlerTimeoutMs;
    const stop = this.durations.startTimer({ strategy: handler.strategy, event: event.name });
    const fields = { strategy: handler.strategy, orderId: event.orderId, chain: leg?.chainId, event: event.name };
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = Promise.resolve().then(() => handler.invoke(event, this.contextFor(handler.strategy, event, leg)));
      const timeout = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs)));
      const result = await Promise.race([work, timeout]);
      if (result === TIMED_OUT) {
        this.failures.inc({ strategy: handler.strategy, kind: 'timeout' });
        this.logger.error(
          fields,
          `strategy ${handler.label} still running after ${timeoutMs} ms on ${event.name} for order ${event.orderId}; moving on without it (the event counts as delivered once it finishes)`,
        );
        // It may still finish; its leg placements stay exactly-once, and a late failure is still logged.
        const late = work.catch((error) => this.logger.error(fields, `strategy ${handler.label} failed late on ${event.name}: ${errorText(error)}`));
        this.holds.hold(event.eventId, late);
      }
    } catch (error) {
      this.failures.inc({ strategy: handler.strategy, kind: 'error' });
      this.logger.error({ ...fields, err: error instanceof Error ? error : undefined }, `strategy ${handler.label} threw on ${event.name} for order ${event.orderId}: ${errorText(error)}`);
    } finally {
      clearTimeout(timer);
      stop();
    }
  }

  private contextFor(strategy: string, event: AnyOrderEvent, leg: LegInfo | null): StrategyContext {
    const { logger, settings } = this.perStrategy(strategy);
    return {
      strategy,
      leg,
      placeLeg: (legName, order, options = {}) =>
        this.gateway.placeLeg({
          strategy,
          legName,
          order,
          parentOrderId: options.parentOrderId ?? event.orderId,
          chainId: options.chainId,
          triggerEventId: event.eventId,
        }),
      placeGroup: (name, legs, options = {}) =>
        this.groups.placeGroup({
          strategy,
          name,
          legs,
          parentOrderId: options.parentOrderId ?? event.orderId,
          chainId: options.chainId,
          direction: options.direction,
          fillTimeoutMs: options.fillTimeoutMs,
          triggerEventId: event.eventId,
        }),
      placeGtt: (name, spec, options = {}) =>
        this.gtts.place({ strategy, name, spec, parentOrderId: options.parentOrderId ?? event.orderId, chainId: options.chainId, triggerEventId: event.eventId }),
      modifyGtt: (name, spec, options = {}) => this.gtts.modify({ strategy, name, parentOrderId: options.parentOrderId ?? event.orderId }, spec),
      cancelGtt: (name, options = {}) => this.gtts.cancel({ strategy, name, parentOrderId: options.parentOrderId ?? event.orderId }),
      gtts: (filter = {}) => this.gtts.list(strategy, filter),
      orders: this.gateway,
      notifier: this.notifier,
      instruments: this.instruments,
      settings,
      logger,
    };
  }

  /** A strategy's logger and settings do not change between events: made once, not per event. */
  private perStrategy(strategy: string): { logger: Logger; settings: StrategySettings } {
    let parts = this.strategyParts.get(strategy);
    if (!parts) {
      parts = { logger: new Logger(`strategy:${strategy}`), settings: new StrategySettings(strategy, this.config.get('strategies', { infer: true }).settings) };
      this.strategyParts.set(strategy, parts);
    }
    return parts;
  }

  /** The leg behind the event's order: by its legwork leg tag, or (no leg tag) the order a GTT of ours fired. */
  private async legOf(event: AnyOrderEvent): Promise<LegInfo | null> {
    const row = isLegTag(event.order.tag) ? await this.legs.findOne({ where: { tag: event.order.tag } }) : await this.gttOrders.legOf(event.order);
    return row ? { strategy: row.strategy, chainId: row.chainId, parentOrderId: row.parentOrderId, legName: row.legName, tag: row.tag } : null;
  }
}
