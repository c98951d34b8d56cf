import { applyDecorators } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ALL_ORDER_EVENT_NAMES } from './order-event-names';

/** @OnEvent for every order event (order.opened … order.cancelled), for listeners that watch all of them. */
export const OnAnyOrderEvent = (): MethodDecorator => applyDecorators(...ALL_ORDER_EVENT_NAMES.map((name) => OnEvent(name)));
