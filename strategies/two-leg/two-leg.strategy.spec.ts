import { OrderCompletedEvent } from '../../src/sdk';
import { orderSnapshot, recordingContext, strategyEnvironment } from '../../test/helpers/strategy-context';
import { TWO_LEG_ENTRY_TAG, TwoLegStrategy } from './two-leg.strategy';

const completed = (overrides: Parameters<typeof orderSnapshot>[0] = {}) =>
  new OrderCompletedEvent(1, 'postback', orderSnapshot({ tag: TWO_LEG_ENTRY_TAG, ...overrides }));

describe('two-leg: an exit at a target when a tagged entry completes', () => {
  it('exits a BUY entry above its average price, for the filled quantity, as a DAY LIMIT', async () => {
    const { ctx, legs } = recordingContext('two-leg');
    await new TwoLegStrategy(strategyEnvironment()).onEntryCompleted(completed({ averagePrice: 100.1, filledQuantity: 3 }), ctx);
    expect(legs).toEqual([
      {
        legName: 'exit',
        order: {
          exchange: 'NSE',
          tradingsymbol: 'SBIN',
          transaction_type: 'SELL',
          quantity: 3,
          product: 'MIS',
          order_type: 'LIMIT',
          price: 105.1,
          validity: 'DAY',
        },
      },
    ]);
  });

  it('exits a SELL entry below, TWO_LEG_TARGET_POINTS away, on a tick', async () => {
    const { ctx, legs } = recordingContext('two-leg');
    await new TwoLegStrategy(strategyEnvironment({ TWO_LEG_TARGET_POINTS: '2.52' })).onEntryCompleted(
      completed({ transactionType: 'SELL', averagePrice: 200 }),
      ctx,
    );
    expect(legs.map((l) => [l.order.transaction_type, l.order.price])).toEqual([['BUY', 197.5]]);
  });

  it('places nothing for an entry that filled nothing or lacks its instrument', async () => {
    const { ctx, legs } = recordingContext('two-leg');
    const strategy = new TwoLegStrategy(strategyEnvironment());
    await strategy.onEntryCompleted(completed({ filledQuantity: 0 }), ctx);
    await strategy.onEntryCompleted(completed({ tradingsymbol: null }), ctx);
    expect(legs).toEqual([]);
  });

  it('refuses to start on a target below one tick, naming the variable', () => {
    expect(() => new TwoLegStrategy(strategyEnvironment({ TWO_LEG_TARGET_POINTS: '0' }))).toThrow('TWO_LEG_TARGET_POINTS must be a number ≥ 0.05 (got "0")');
  });
});
