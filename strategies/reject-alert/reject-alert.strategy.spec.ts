import { OrderRejectedEvent } from '../../src/sdk';
import { orderSnapshot, recordingContext } from '../../test/helpers/strategy-context';
import { RejectAlertStrategy } from './reject-alert.strategy';

describe('reject-alert: an alert for every rejected order', () => {
  it('names the order, the reason and, for a leg, its chain and strategy', () => {
    const { ctx, alerts } = recordingContext('reject-alert', {
      leg: { strategy: 'two-leg', chainId: '900', parentOrderId: '900', legName: 'exit', tag: 'lwabc' },
    });
    const event = new OrderRejectedEvent(
      7,
      'websocket',
      orderSnapshot({ orderId: '1002', status: 'REJECTED', transactionType: 'SELL', tag: 'lwabc' }),
      'Insufficient funds',
    );
    new RejectAlertStrategy().onRejected(event, ctx);
    expect(alerts).toEqual([
      {
        title: 'Order rejected: SELL 4 SBIN',
        text: 'Insufficient funds',
        severity: 'warning',
        fields: { order_id: '1002', exchange: 'NSE', tag: 'lwabc', chain: '900', strategy: 'two-leg', source: 'websocket' },
      },
    ]);
  });

  it('alerts for an order placed outside legwork too, with what is known', () => {
    const { ctx, alerts } = recordingContext('reject-alert');
    new RejectAlertStrategy().onRejected(
      new OrderRejectedEvent(8, 'postback', orderSnapshot({ status: 'REJECTED', transactionType: null, tradingsymbol: null }), ''),
      ctx,
    );
    expect(alerts).toMatchObject([{ title: 'Order rejected: 4', text: 'no reason given', fields: { chain: null, strategy: null, tag: null } }]);
  });
});
