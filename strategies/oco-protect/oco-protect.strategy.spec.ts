import { GttView, OrderCompletedEvent } from '../../src/sdk';
import { orderSnapshot, recordingContext, strategyEnvironment } from '../../test/helpers/strategy-context';
import { OCO_ENTRY_TAG, OcoProtectStrategy, PROTECT } from './oco-protect.strategy';

const completed = (overrides: Parameters<typeof orderSnapshot>[0] = {}) =>
  new OrderCompletedEvent(1, 'postback', orderSnapshot({ tag: OCO_ENTRY_TAG, product: 'CNC', ...overrides }));

const liveGtt = (overrides: Partial<GttView> = {}): GttView => ({
  name: PROTECT,
  strategy: 'oco-protect',
  parentOrderId: '1001',
  chainId: '1001',
  status: 'active',
  triggerId: 3001,
  type: 'two-leg',
  exchange: 'NSE',
  tradingsymbol: 'SBIN',
  triggerValues: [98, 104],
  orders: [{ role: 'stop', transactionType: 'SELL', quantity: 4, price: 97.5, product: 'CNC' }],
  lastError: null,
  ...overrides,
});

describe('oco-protect: an OCO GTT at Kite for every tagged entry', () => {
  it('protects a long entry with a stop below (its limit further down) and a target above, both SELL', async () => {
    const { ctx, gtts } = recordingContext('oco-protect');
    await new OcoProtectStrategy(strategyEnvironment()).onEntryCompleted(completed(), ctx);
    expect(gtts).toEqual([
      {
        name: PROTECT,
        spec: {
          exchange: 'NSE',
          tradingsymbol: 'SBIN',
          lastPrice: 100,
          stop: { trigger: 98, order: { transaction_type: 'SELL', quantity: 4, product: 'CNC', price: 97.5 } },
          target: { trigger: 104, order: { transaction_type: 'SELL', quantity: 4, product: 'CNC', price: 104 } },
        },
      },
    ]);
  });

  it('mirrors it for a short entry, with the percentages set', async () => {
    const { ctx, gtts } = recordingContext('oco-protect');
    const strategy = new OcoProtectStrategy(
      strategyEnvironment({ OCO_PROTECT_STOP_PERCENT: '1', OCO_PROTECT_TARGET_PERCENT: '3', OCO_PROTECT_STOP_LIMIT_PERCENT: '0' }),
    );
    await strategy.onEntryCompleted(completed({ transactionType: 'SELL', averagePrice: 200 }), ctx);
    expect(gtts[0].spec).toMatchObject({
      stop: { trigger: 202, order: { transaction_type: 'BUY', price: 202 } },
      target: { trigger: 194, order: { transaction_type: 'BUY', price: 194 } },
    });
  });

  it('says which side filled when the GTT fires', () => {
    const { ctx, alerts } = recordingContext('oco-protect', {
      leg: { strategy: 'oco-protect', chainId: '1001', parentOrderId: '1001', legName: 'protect:stop', tag: 'lwx' },
    });
    new OcoProtectStrategy(strategyEnvironment()).onProtectionFilled(
      completed({ orderId: '1003', transactionType: 'SELL', averagePrice: 97.6, tag: null }),
      ctx,
    );
    expect(alerts).toEqual([
      { title: 'oco-protect: stop-loss filled on SBIN', text: 'SELL 4 @ 97.6 (entry 1001)', severity: 'info', fields: { chain: '1001', leg: 'protect:stop' } },
    ]);
  });

  it('deletes the GTT when the position is closed another way, and only a GTT closing in that direction', async () => {
    const { ctx, cancelledGtts } = recordingContext('oco-protect', {
      liveGtts: [liveGtt(), liveGtt({ parentOrderId: '1005', orders: [{ role: 'stop', transactionType: 'BUY', quantity: 4, price: 102, product: 'CNC' }] })],
    });
    const strategy = new OcoProtectStrategy(strategyEnvironment());
    await strategy.onClosedElsewhere(completed({ orderId: '1004', transactionType: 'SELL', tag: 'manual' }), ctx);
    expect(cancelledGtts).toEqual([{ name: PROTECT, parentOrderId: '1001' }]);
  });

  it('leaves its own orders and tagged entries alone', async () => {
    const { ctx, cancelledGtts } = recordingContext('oco-protect', { liveGtts: [liveGtt()] });
    await new OcoProtectStrategy(strategyEnvironment()).onClosedElsewhere(completed({ transactionType: 'SELL' }), ctx);
    expect(cancelledGtts).toEqual([]);
  });

  it('refuses to start on a stop outside its range, naming the variable', () => {
    expect(() => new OcoProtectStrategy(strategyEnvironment({ OCO_PROTECT_STOP_PERCENT: '60' }))).toThrow(
      /^OCO_PROTECT_STOP_PERCENT must be a number ≥ 0.3 ≤ 50/,
    );
  });
});
