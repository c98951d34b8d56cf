import { OrderEventName } from '../events/order-event-names';
import type { OrderCompletedEvent, OrderFilledEvent } from '../events/order.events';
import { Inject, Injectable } from '@nestjs/common';
import { OrderGateway } from '../broker/order-gateway.service';
import { KITE_CLIENT } from '../kite-session/kite-client.provider';
import { StrategyEnvironment } from './strategy-environment';
import { checkStrategyInjections, strategyHandlers, StrategyContractError } from './strategy-contract';
import { OnOrderEvent } from './strategy.decorators';
import type { OrderEventFilter, StrategyContext } from './strategy.interfaces';

const refusal = (instance: object): string => {
  try {
    strategyHandlers({ name: 'bad' }, instance);
  } catch (error) {
    expect(error).toBeInstanceOf(StrategyContractError);
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('the strategy contract, checked when the explorer finds a strategy', () => {
  it('binds each handler of a good class to its instance, with its events and filter', async () => {
    class Good {
      readonly seen: string[] = [];
      @OnOrderEvent([OrderEventName.Completed, OrderEventName.Filled], { tag: 'entry' })
      onEntry(event: OrderCompletedEvent | OrderFilledEvent, _context: StrategyContext): void {
        this.seen.push(event.orderId);
      }
    }
    const good = new Good();
    const [handler] = strategyHandlers({ name: 'good' }, good);
    expect(handler).toMatchObject({ method: 'onEntry', events: [OrderEventName.Completed, OrderEventName.Filled], filter: { tag: 'entry' } });
    await handler.invoke({ orderId: '1' } as OrderCompletedEvent, {} as StrategyContext);
    expect(good.seen).toEqual(['1']);
  });

  it('refuses a class without any handler, naming the class and the fix', () => {
    class Idle {}
    expect(refusal(new Idle())).toBe(
      `strategy "bad" (class Idle) has no @OnOrderEvent() handler: decorate a method, e.g. @OnOrderEvent(OrderEventName.Completed, { tag: 'mytag' })`,
    );
  });

  it('refuses a handler on an unknown event', () => {
    class Misnamed {
      @OnOrderEvent('order.complete' as OrderEventName)
      onDone(): void {}
    }
    expect(refusal(new Misnamed())).toMatch(
      /^strategy "bad": Misnamed\.onDone subscribes to unknown event "order\.complete" \(known: order\.opened, order\.updated, /,
    );
  });

  it('refuses a misspelt filter option rather than let it widen or narrow what the handler sees', () => {
    class Typo {
      @OnOrderEvent(OrderEventName.Completed, { tags: 'entry' } as OrderEventFilter)
      onDone(): void {}
    }
    expect(refusal(new Typo())).toBe(
      'strategy "bad": Typo.onDone: unknown filter option "tags" (known: tag, own, legName, tradingsymbol, exchange, transactionType, sources, external)',
    );
  });

  it('refuses a handler that expects more than (event, context)', () => {
    class Greedy {
      onDone(_event: unknown, _context: unknown, _extra: unknown): void {}
    }
    // Applied by hand: the compiler already refuses this handler (see src/sdk/typed-handlers.spec.ts); a plain JavaScript strategy is not compiled.
    OnOrderEvent(OrderEventName.Completed, { tag: 'entry' })(Greedy.prototype, 'onDone', {});
    expect(refusal(new Greedy())).toBe('strategy "bad": Greedy.onDone takes 3 parameters; a handler receives (event, context) and nothing else');
  });

  it('refuses @OnOrderEvent on something that is not a method', () => {
    class Field {
      onDone: unknown = 'not a function';
    }
    OnOrderEvent(OrderEventName.Completed)(Field.prototype, 'onDone', {});
    expect(refusal(new Field())).toBe('strategy "bad": Field.onDone carries @OnOrderEvent but is not a method');
  });

  it("refuses a strategy that injects an engine internal, which would act under any strategy's name", () => {
    @Injectable()
    class Sneaky {
      constructor(
        readonly environment: StrategyEnvironment,
        readonly gateway: OrderGateway,
      ) {}
    }
    @Injectable()
    class RawKite {
      constructor(@Inject(KITE_CLIENT) readonly kite: unknown) {}
    }
    @Injectable()
    class Fine {
      constructor(readonly environment: StrategyEnvironment) {}
    }
    expect(() => checkStrategyInjections({ name: 'sneaky' }, Sneaky)).toThrow(
      'strategy "sneaky" (class Sneaky) injects OrderGateway (constructor parameter 2), an engine internal that would act under any strategy\'s name: use ctx.placeLeg and ctx.orders from the handler\'s context',
    );
    expect(() => checkStrategyInjections({ name: 'raw' }, RawKite)).toThrow(/injects Symbol\(KITE_CLIENT\) \(constructor parameter 1\).*use ctx\.orders/);
    expect(() => checkStrategyInjections({ name: 'fine' }, Fine)).not.toThrow();
  });
});
