import { applyDecorators } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ALL_ORDER_EVENT_NAMES } from './order-event-names';

/**
 * Subscribes an engine service's method to every order event (order.opened … order.cancelled): the bus runs without
 * wildcards, so this is one @OnEvent per name. For the engine's own listeners, not for strategies (they use
 * @OnOrderEvent from the SDK).
 */
export const OnAnyOrderEvent = (): MethodDecorator => applyDecorators(...ALL_ORDER_EVENT_NAMES.map((name) => OnEvent(name)));
