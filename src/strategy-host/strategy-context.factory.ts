import { Injectable, Logger } from '@nestjs/common';
import { LegGroupService } from '../broker/leg-group.service';
import { OrderGateway } from '../broker/order-gateway.service';
import type { AnyOrderEvent } from '../events/order.events';
import { GttService } from '../gtt/gtt.service';
import { InstrumentsService } from '../instruments/instruments.service';
import { Notifier } from '../notifier/notifier.service';
import type { LegInfo, StrategyContext } from './strategy.interfaces';

/**
 * Makes the StrategyContext a handler gets: every action in it is bound to the handler's own strategy name and to the
 * event (parent order, trigger event), so a strategy can act only as itself.
 */
@Injectable()
export class StrategyContextFactory {
  private readonly loggers = new Map<string, Logger>();

  constructor(
    private readonly gateway: OrderGateway,
    private readonly groups: LegGroupService,
    private readonly gtts: GttService,
    private readonly notifier: Notifier,
    private readonly instruments: InstrumentsService,
  ) {}

  create(strategy: string, event: AnyOrderEvent, leg: LegInfo | null): StrategyContext {
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
        this.gtts.place({
          strategy,
          name,
          spec,
          parentOrderId: options.parentOrderId ?? event.orderId,
          chainId: options.chainId,
          triggerEventId: event.eventId,
        }),
      modifyGtt: (name, spec, options = {}) => this.gtts.modify({ strategy, name, parentOrderId: options.parentOrderId ?? event.orderId }, spec),
      cancelGtt: (name, options = {}) => this.gtts.cancel({ strategy, name, parentOrderId: options.parentOrderId ?? event.orderId }),
      gtts: (filter = {}) => this.gtts.list(strategy, filter),
      orders: this.gateway,
      notifier: this.notifier,
      instruments: this.instruments,
      logger: this.loggerOf(strategy),
    };
  }

  /** A strategy's logger does not change between events: made once, not per event. */
  private loggerOf(strategy: string): Logger {
    let logger = this.loggers.get(strategy);
    if (!logger) this.loggers.set(strategy, (logger = new Logger(`strategy:${strategy}`)));
    return logger;
  }
}
