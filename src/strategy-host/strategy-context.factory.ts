import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LegGroupService } from '../broker/leg-group.service';
import { OrderGateway } from '../broker/order-gateway.service';
import type { LegworkConfig } from '../config/legwork.config';
import { StrategySettings } from '../config/strategy-settings';
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
  private readonly perStrategy = new Map<string, { logger: Logger; settings: StrategySettings }>();

  constructor(
    private readonly gateway: OrderGateway,
    private readonly groups: LegGroupService,
    private readonly gtts: GttService,
    private readonly notifier: Notifier,
    private readonly instruments: InstrumentsService,
    private readonly config: ConfigService<LegworkConfig, true>,
  ) {}

  create(strategy: string, event: AnyOrderEvent, leg: LegInfo | null): StrategyContext {
    const { logger, settings } = this.partsOf(strategy);
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
  private partsOf(strategy: string): { logger: Logger; settings: StrategySettings } {
    let parts = this.perStrategy.get(strategy);
    if (!parts) {
      parts = { logger: new Logger(`strategy:${strategy}`), settings: new StrategySettings(strategy, this.config.get('strategies', { infer: true }).settings) };
      this.perStrategy.set(strategy, parts);
    }
    return parts;
  }
}
