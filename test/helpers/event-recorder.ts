import type { INestApplication } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ALL_ORDER_EVENT_NAMES, AnyOrderEvent } from '../../src/events';

/** Records every order domain event the app publishes, as a real listener on the bus. */
export function recordOrderEvents(app: INestApplication): AnyOrderEvent[] {
  const events: AnyOrderEvent[] = [];
  const bus = app.get(EventEmitter2);
  for (const name of ALL_ORDER_EVENT_NAMES) bus.on(name, (event: AnyOrderEvent) => void events.push(event));
  return events;
}
