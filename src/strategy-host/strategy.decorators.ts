import { applyDecorators, Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { OrderEventName } from '../events/order-event-names';
import type { OrderEventFilter } from './strategy.interfaces';

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

/**
 * Subscribes a strategy method to order events. The method receives the typed event and a StrategyContext.
 * By default a handler sees only orders that concern it: those carrying a tag in `filter.tag`, or legs placed by
 * its own strategy (`filter.own`). Orders nobody tagged (placed outside legwork) reach it only with `external: true`.
 */
export function OnOrderEvent(events: OrderEventName | OrderEventName[], filter: OrderEventFilter = {}): MethodDecorator {
  return (target, key, descriptor) => {
    const list: Array<OrderEventHandlerMetadata & { method: string | symbol }> =
      Reflect.getMetadata(ORDER_EVENT_HANDLERS, target.constructor) ?? [];
    Reflect.defineMetadata(ORDER_EVENT_HANDLERS, [...list, { method: key, events: [events].flat(), filter }], target.constructor);
    return descriptor;
  };
}
