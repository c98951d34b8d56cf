import { ALL_ORDER_EVENT_NAMES, OrderEventName } from '../events/order-event-names';
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
  const declared: Array<OrderEventHandlerMetadata & { method: string | symbol }> = Reflect.getMetadata(ORDER_EVENT_HANDLERS, type) ?? [];
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
    return { method, events, filter, invoke: (event: AnyOrderEvent, context: StrategyContext) => fn.call(instance, event, context) };
  });
}
