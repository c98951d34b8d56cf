import { applyDecorators, Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { OrderEventName } from '../events/order-event-names';
import type { OrderEventMap } from '../events/order.events';
import type { OrderEventFilter, StrategyContext } from './strategy.interfaces';

export interface StrategyOptions {
  /** Unique, used in STRATEGIES=…, in logs, metrics and the trade log (legs.strategy). Letters, digits, - and _. */
  name: string;
  description?: string;
}

/** Discoverable marker; the host finds every provider carrying it (DiscoveryService.getProviders({ metadataKey })). */
export const StrategyMarker = DiscoveryService.createDecorator<StrategyOptions>();

/** Marks a class as a strategy plugin. It is an injectable provider: constructor injection works as anywhere in Nest. */
export function Strategy(options: StrategyOptions): ClassDecorator {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(options.name)) {
    throw new Error(`@Strategy name "${options.name}" must be 1–64 letters, digits, - or _`);
  }
  return applyDecorators(Injectable(), StrategyMarker(options));
}

export const ORDER_EVENT_HANDLERS = Symbol('legwork:order-event-handlers');

export interface OrderEventHandlerMetadata {
  events: OrderEventName[];
  filter: OrderEventFilter;
}

/** What a handler of the events named N is: it takes the event of that name (or a wider type) and the context. */
export type OrderEventHandler<N extends OrderEventName> = (event: OrderEventMap[N], context: StrategyContext) => unknown;

/**
 * Subscribes a strategy method to order events. The method receives the typed event and a StrategyContext; the
 * compiler checks the event's type against the names subscribed to (OrderEventMap): a handler of
 * OrderEventName.Completed cannot declare an OrderFilledEvent. By default a handler sees only orders that concern it:
 * those carrying a tag in `filter.tag`, or legs placed by its own strategy (`filter.own`). Orders nobody tagged
 * (placed outside legwork) reach it only with `external: true`.
 */
export function OnOrderEvent<N extends OrderEventName>(events: N | readonly N[], filter: OrderEventFilter = {}) {
  // Only `value` is declared: a handler may take a wider event type (e.g. AnyOrderEvent), never a narrower one.
  return (target: object, key: string | symbol, descriptor: { value?: OrderEventHandler<N> }): void => {
    const list =
      (Reflect.getMetadata(ORDER_EVENT_HANDLERS, target.constructor) as Array<OrderEventHandlerMetadata & { method: string | symbol }> | undefined) ?? [];
    Reflect.defineMetadata(ORDER_EVENT_HANDLERS, [...list, { method: key, events: [events].flat(), filter }], target.constructor);
    void descriptor;
  };
}
