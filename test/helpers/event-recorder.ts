import { Injectable, type INestApplication } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ALL_ORDER_EVENT_NAMES, AnyOrderEvent } from '../../src/events';
import { OnEveryOrderEvent } from '../../src/events/on-every-order-event';

/** Records every order domain event the app publishes, as a real listener on the bus (subscribed after boot). */
export function recordOrderEvents(app: INestApplication): AnyOrderEvent[] {
  const events: AnyOrderEvent[] = [];
  const bus = app.get(EventEmitter2);
  for (const name of ALL_ORDER_EVENT_NAMES) bus.on(name, (event: AnyOrderEvent) => void events.push(event));
  return events;
}

/**
 * The same, as a provider subscribed through @OnEvent like any listener of the app, so it also sees events
 * published during boot (the inbox backlog). Add it with createTestApp(env, { providers: [BootEventRecorder] }).
 */
@Injectable()
export class BootEventRecorder {
  readonly events: AnyOrderEvent[] = [];

  @OnEveryOrderEvent()
  record(event: AnyOrderEvent): void {
    this.events.push(event);
  }
}
