import { PARAMTYPES_METADATA, SELF_DECLARED_DEPS_METADATA } from '@nestjs/common/constants';
import { LegGroupService } from '../broker/leg-group.service';
import { LegLedger } from '../broker/leg-ledger';
import { OrderGateway } from '../broker/order-gateway.service';
import { ALL_ORDER_EVENT_NAMES, OrderEventName } from '../events/order-event-names';
import { GttService } from '../gtt/gtt.service';
import { InstrumentsService } from '../instruments/instruments.service';
import { KITE_CLIENT } from '../kite-session/kite-client.provider';
import { KiteSessionService } from '../kite-session/kite-session.service';
import { Notifier } from '../notifier/notifier.service';
import type { AnyOrderEvent } from '../events/order.events';
import { FILTER_OPTIONS } from './strategy-filter';
import { ORDER_EVENT_HANDLERS, OrderEventHandlerMetadata, StrategyOptions } from './strategy.decorators';
import type { OrderEventFilter, StrategyContext } from './strategy.interfaces';

/** A strategy class that does not keep the plugin contract; the message names the class, the method and the fix. */
export class StrategyContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrategyContractError';
  }
}

/** One handler of a strategy, checked: bound to its instance. */
export interface StrategyHandler {
  method: string;
  events: OrderEventName[];
  filter: OrderEventFilter;
  invoke(event: AnyOrderEvent, context: StrategyContext): unknown;
}

/**
 * The handlers of a @Strategy instance, checked against the contract: at least one @OnOrderEvent method; each on a
 * method that takes (event, context) at most; known event names only; known filter options only (a misspelt option
 * would silently change which orders reach the handler). Throws StrategyContractError otherwise, so the engine
 * refuses to start with a clear message rather than run a strategy that never hears what it expects.
 */
export function strategyHandlers(options: StrategyOptions, instance: object): StrategyHandler[] {
  const type = instance.constructor as { name: string };
  const where = (method: string) => `strategy "${options.name}": ${type.name}.${method}`;
  const declared = (Reflect.getMetadata(ORDER_EVENT_HANDLERS, type) as Array<OrderEventHandlerMetadata & { method: string | symbol }> | undefined) ?? [];
  if (declared.length === 0) {
    throw new StrategyContractError(
      `strategy "${options.name}" (class ${type.name}) has no @OnOrderEvent() handler: decorate a method, e.g. @OnOrderEvent(OrderEventName.Completed, { tag: 'mytag' })`,
    );
  }
  return declared.map(({ method: key, events, filter }) => {
    const method = String(key);
    const fn = (instance as Record<string | symbol, unknown>)[key];
    if (typeof fn !== 'function') throw new StrategyContractError(`${where(method)} carries @OnOrderEvent but is not a method`);
    if (fn.length > 2) {
      throw new StrategyContractError(`${where(method)} takes ${fn.length} parameters; a handler receives (event, context) and nothing else`);
    }
    if (events.length === 0) throw new StrategyContractError(`${where(method)} subscribes to no event: name at least one OrderEventName`);
    for (const name of events) {
      if (!ALL_ORDER_EVENT_NAMES.includes(name)) {
        throw new StrategyContractError(`${where(method)} subscribes to unknown event "${String(name)}" (known: ${ALL_ORDER_EVENT_NAMES.join(', ')})`);
      }
    }
    for (const option of Object.keys(filter)) {
      if (!(FILTER_OPTIONS as readonly string[]).includes(option)) {
        throw new StrategyContractError(`${where(method)}: unknown filter option "${option}" (known: ${FILTER_OPTIONS.join(', ')})`);
      }
    }
    return { method, events, filter, invoke: (event: AnyOrderEvent, context: StrategyContext): unknown => fn.call(instance, event, context) as unknown };
  });
}

/**
 * Services that act for whichever strategy calls them (or for the whole engine), with what to use instead: a
 * strategy acts through its context, which is bound to its own name, so it cannot place or alert as another.
 */
const ENGINE_INTERNALS = new Map<unknown, string>([
  [OrderGateway, 'ctx.placeLeg and ctx.orders'],
  [LegLedger, 'ctx.placeLeg'],
  [LegGroupService, 'ctx.placeGroup'],
  [GttService, 'ctx.placeGtt, ctx.modifyGtt, ctx.cancelGtt and ctx.gtts'],
  [Notifier, 'ctx.notifier'],
  [InstrumentsService, 'ctx.instruments'],
  [KiteSessionService, 'ctx.orders'],
  [KITE_CLIENT, 'ctx.orders'],
]);

/** Refuses a strategy whose constructor asks for one of the engine's internal services. */
export function checkStrategyInjections(options: StrategyOptions, type: abstract new (...args: never[]) => unknown): void {
  const params: unknown[] = [...((Reflect.getMetadata(PARAMTYPES_METADATA, type) as unknown[] | undefined) ?? [])];
  for (const { index, param } of (Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, type) as Array<{ index: number; param: unknown }> | undefined) ?? [])
    params[index] = param;
  params.forEach((param, index) => {
    const instead = ENGINE_INTERNALS.get(param);
    if (instead === undefined) return;
    const name = typeof param === 'function' ? param.name : String(param);
    throw new StrategyContractError(
      `strategy "${options.name}" (class ${type.name}) injects ${name} (constructor parameter ${index + 1}), an engine internal that would act under any strategy's name: use ${instead} from the handler's context`,
    );
  });
}
