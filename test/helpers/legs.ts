import type { INestApplication } from '@nestjs/common';
import type { GroupLeg } from '../../src/broker/leg-group.service';
import type { LegOrder } from '../../src/broker/leg-order';
import type { Alert } from '../../src/notifier/alert';
import { Notifier } from '../../src/notifier/notifier.service';
import type { InstrumentRow } from '../../src/simulator/instruments';

/** A SELL LIMIT in SBIN far above the simulator's market (470): it rests OPEN, so Kite sends no postback for it. */
export const restingSell = (price: number, quantity = 1): LegOrder => ({
  exchange: 'NSE',
  tradingsymbol: 'SBIN',
  transaction_type: 'SELL',
  quantity,
  product: 'MIS',
  order_type: 'LIMIT',
  price,
});

/** A group's BUY leg of 50 NFO options (NRML): LIMIT at `price`, or MARKET with Kite's automatic market protection. */
export const buyOptionLeg = (tradingsymbol: string, legName: string, order_type: 'MARKET' | 'LIMIT', price?: number): GroupLeg => ({
  legName,
  order: {
    exchange: 'NFO',
    tradingsymbol,
    transaction_type: 'BUY',
    quantity: 50,
    product: 'NRML',
    order_type,
    ...(price ? { price } : { market_protection: -1 }),
  },
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

/** A NIFTY option the simulator lists today (lot 65, tick 0.05; freeze quantity 1800 → largest order 1755), nearest expiry. */
export function listedNiftyOption(sim: { getInstruments(): readonly InstrumentRow[] }, strike = 26_000, type: 'CE' | 'PE' = 'CE'): InstrumentRow {
  const options = sim.getInstruments().filter((r) => r.name === 'NIFTY' && r.instrument_type === type);
  const expiry = options.map((r) => r.expiry).sort()[0];
  const option = options.find((r) => r.expiry === expiry && r.strike === strike);
  if (!option) throw new Error(`no NIFTY ${strike} ${type} listed`);
  return option;
}

/** What a call that must be refused rejected with (fails the test if it resolved). */
export async function refusalOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}
