import type { INestApplication } from '@nestjs/common';
import type { LegOrder } from '../../src/broker/order-gateway.service';
import type { Alert } from '../../src/notifier/alert';
import { Notifier } from '../../src/notifier/notifier.service';

/** A SELL LIMIT in SBIN far above the simulator's market (470): it rests OPEN, so Kite sends no postback for it. */
export const restingSell = (price: number, quantity = 1): LegOrder => ({
  exchange: 'NSE', tradingsymbol: 'SBIN', transaction_type: 'SELL', quantity, product: 'MIS', order_type: 'LIMIT', price,
});

/** Every alert the app's notifier is asked to send from now on (still sent as usual). */
export function recordAlerts(app: INestApplication): Alert[] {
  const alerts: Alert[] = [];
  const notifier = app.get(Notifier);
  const notify = notifier.notify.bind(notifier);
  jest.spyOn(notifier, 'notify').mockImplementation((alert) => {
    alerts.push(alert);
    notify(alert);
  });
  return alerts;
}
