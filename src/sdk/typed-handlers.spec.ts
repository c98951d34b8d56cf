import 'reflect-metadata';
import { ORDER_EVENT_HANDLERS } from '../strategy-host/strategy.decorators';
import { AnyOrderEvent, OnOrderEvent, OrderCompletedEvent, OrderEventName, OrderFilledEvent, OrderRejectedEvent, Strategy, StrategyContext } from './index';

/**
 * Type-level contract of the SDK (checked by `npm run typecheck`, which `npm test` runs first): a handler's event
 * type must accept every event it subscribes to. Each @ts-expect-error line below must stay an error; if the typed
 * event map ever stops catching it, the typecheck fails on the unused directive.
 */
@Strategy({ name: 'typed' })
class TypedHandlers {
  readonly seen: string[] = [];

  @OnOrderEvent(OrderEventName.Filled, { tag: 'entry' })
  onFill(event: OrderFilledEvent, _context: StrategyContext): void {
    this.seen.push(`filled ${event.fill.quantity}`);
  }

  @OnOrderEvent([OrderEventName.Filled, OrderEventName.Completed], { tag: 'entry' })
  onEither(event: OrderFilledEvent | OrderCompletedEvent): void {
    this.seen.push(event.name);
  }

  @OnOrderEvent(OrderEventName.Rejected, { own: true })
  onAnything(event: AnyOrderEvent): void {
    this.seen.push(event.name);
  }

  // @ts-expect-error a handler of order.completed cannot declare the fill event (no `fill` on a completion)
  @OnOrderEvent(OrderEventName.Completed, { tag: 'entry' })
  onWrongEvent(event: OrderFilledEvent): void {
    this.seen.push(String(event.fill.quantity));
  }

  // @ts-expect-error subscribed to two events, the handler must take both
  @OnOrderEvent([OrderEventName.Rejected, OrderEventName.Cancelled], { own: true })
  onOnlyOne(event: OrderRejectedEvent): void {
    this.seen.push(event.reason);
  }

  // @ts-expect-error a handler receives (event, context) and nothing more
  @OnOrderEvent(OrderEventName.Completed, { tag: 'entry' })
  onTooMany(_event: OrderCompletedEvent, _context: StrategyContext, _extra: string): void {}
}

describe('the typed event map of @OnOrderEvent', () => {
  it('records each subscription at run time as declared (the type errors above are compile-time only)', () => {
    const declared = Reflect.getMetadata(ORDER_EVENT_HANDLERS, TypedHandlers) as Array<{ method: string; events: string[] }>;
    expect(declared.map(({ method, events }) => `${method}: ${events.join(', ')}`)).toEqual([
      'onFill: order.filled',
      'onEither: order.filled, order.completed',
      'onAnything: order.rejected',
      'onWrongEvent: order.completed',
      'onOnlyOne: order.rejected, order.cancelled',
      'onTooMany: order.completed',
    ]);
  });
});
