import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { LegLookup } from '../broker/leg-lookup';
import { isLegTag } from '../broker/leg-tag';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import type { OrderEventName } from '../events/order-event-names';
import type { AnyOrderEvent } from '../events/order.events';
import { GttOrderLinker } from '../gtt/gtt-order-linker';
import { Metric } from '../metrics/metrics';
import { DeliveryHolds } from '../orders/delivery-holds';
import { StrategyContextFactory } from './strategy-context.factory';
import type { StrategyHandler } from './strategy-contract';
import { wants } from './strategy-filter';
import type { LegInfo } from './strategy.interfaces';

interface BoundHandler extends StrategyHandler {
  strategy: string;
  label: string;
}

const TIMED_OUT = Symbol('timed out');

/**
 * Delivers order events to the strategies' handlers (bound by the explorer): only to handlers whose filter wants the
 * event, each isolated. A handler that throws is logged with its strategy's name and counted; one that hangs is
 * reported after STRATEGY_TIMEOUT_MS and the bus moves on, but the event is not marked delivered while the handler
 * may still be running (DeliveryHolds): after a crash meanwhile it is delivered again. Neither reaches ingress or
 * another strategy.
 */
@Injectable()
export class StrategyDispatcher implements OnModuleDestroy {
  private readonly logger = new Logger('Strategies');
  private readonly handlers = new Map<OrderEventName, BoundHandler[]>();
  private readonly listeners: Array<[string, (event: AnyOrderEvent) => void]> = [];

  constructor(
    private readonly bus: EventEmitter2,
    private readonly contexts: StrategyContextFactory,
    private readonly holds: DeliveryHolds,
    private readonly config: ConfigService<LegworkConfig, true>,
    private readonly legLookup: LegLookup,
    @InjectMetric(Metric.StrategyHandlerSeconds) private readonly durations: Histogram<string>,
    @InjectMetric(Metric.StrategyFailures) private readonly failures: Counter<string>,
    private readonly gttOrders: GttOrderLinker,
  ) {}

  /** Adds a strategy's checked handler; delivery starts with listen(). Returns its labels, `method(event)`, for the log. */
  add(strategy: string, handler: StrategyHandler): string[] {
    const label = `${strategy}.${handler.method}`;
    for (const name of handler.events) this.handlers.set(name, [...(this.handlers.get(name) ?? []), { ...handler, strategy, label }]);
    return handler.events.map((name) => `${handler.method}(${name})`);
  }

  /** Subscribes to the events some handler asked for. */
  listen(): void {
    for (const name of this.handlers.keys()) {
      // EventEmitter2 types listeners as returning void, yet the publisher's emitAsync awaits the promise this one returns:
      // the event counts as delivered once every handler has run (or timed out).
      const listener = ((event: AnyOrderEvent): Promise<void> => this.dispatch(name, event)) as (event: AnyOrderEvent) => void;
      this.bus.on(name, listener);
      this.listeners.push([name, listener]);
    }
  }

  onModuleDestroy(): void {
    for (const [name, listener] of this.listeners) this.bus.off(name, listener);
  }

  /** Runs every interested handler of every strategy side by side; resolves when all have finished or timed out. */
  private async dispatch(name: OrderEventName, event: AnyOrderEvent): Promise<void> {
    const handlers = this.handlers.get(name) ?? [];
    const leg = await this.legOf(event);
    const interested = handlers.filter((h) => wants(h.strategy, h.filter, event, leg));
    await Promise.all(interested.map((handler) => this.run(handler, event, leg)));
  }

  private async run(handler: BoundHandler, event: AnyOrderEvent, leg: LegInfo | null): Promise<void> {
    const timeoutMs = this.config.get('strategies', { infer: true }).handlerTimeoutMs;
    const stop = this.durations.startTimer({ strategy: handler.strategy, event: event.name });
    const fields = { strategy: handler.strategy, orderId: event.orderId, chain: leg?.chainId, event: event.name };
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = Promise.resolve().then(() => handler.invoke(event, this.contexts.create(handler.strategy, event, leg)));
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
      this.logger.error(
        { ...fields, err: error instanceof Error ? error : undefined },
        `strategy ${handler.label} threw on ${event.name} for order ${event.orderId}: ${errorText(error)}`,
      );
    } finally {
      clearTimeout(timer);
      stop();
    }
  }

  /** The leg behind the event's order: by its legwork leg tag, or (no leg tag) the order a GTT of ours fired. */
  private async legOf(event: AnyOrderEvent): Promise<LegInfo | null> {
    const row = isLegTag(event.order.tag) ? await this.legLookup.byTag(event.order.tag) : await this.gttOrders.legOf(event.order);
    return row ? { strategy: row.strategy, chainId: row.chainId, parentOrderId: row.parentOrderId, legName: row.legName, tag: row.tag } : null;
  }
}
