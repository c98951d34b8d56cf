import type { LoggerService } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Leg } from '../../src/broker/entities/leg.entity';
import { OrderGateway } from '../../src/broker/order-gateway.service';
import { PlacementRefusedError } from '../../src/broker/order-rails';
import { LegEventName, LegFailedEvent } from '../../src/events';
import { InstrumentsService } from '../../src/instruments/instruments.service';
import type { Alert } from '../../src/notifier/alert';
import type { KiteSimulator } from '../../src/simulator';
import type { InstrumentRow } from '../../src/simulator/instruments';
import { engineEnv, legPlacements, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { recordAlerts, refusalOf } from '../helpers/legs';
import { createTestApp, tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, PlaceParams } from '../simulator/kite-client';

/** Keeps the engine's warnings, to check what it says about instruments it cannot check. */
class WarningLog implements LoggerService {
  readonly lines: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
}

/**
 * Lot size and tick size are checked by legwork's rails before an order leaves, with the instrument list in the store:
 * a leg refused there is `failed` with the rule's code and reason (leg.failed, alert), and Kite — here the simulator,
 * which enforces the same rules — never sees the request. Modifications are checked with the order's instrument.
 */
describe('lot and tick checked in the rails before an order or a modification leaves', () => {
  const tmp = tempDir();
  const warnings = new WarningLog();
  let sim: KiteSimulator;
  let t: TestApp;
  let alerts: Alert[];
  const failed: LegFailedEvent[] = [];
  /** A NIFTY call the simulator lists today (lot 65, tick 0.05), nearest expiry. */
  let option: InstrumentRow;

  beforeAll(async () => {
    sim = await startSimulator();
    t = await createTestApp(engineEnv(sim, tmp.dir), { logger: warnings });
    await eventually(() => t.app.get(InstrumentsService).listInUse(), "the simulator's instrument list, loaded at start");
    alerts = recordAlerts(t.app);
    t.app.get(EventEmitter2).on(LegEventName.Failed, (e: LegFailedEvent) => void failed.push(e));
    const calls = sim.getInstruments().filter((r) => r.name === 'NIFTY' && r.instrument_type === 'CE');
    const expiry = calls.map((r) => r.expiry).sort()[0];
    option = calls.find((r) => r.expiry === expiry && r.strike === 26_000)!;
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    tmp.cleanup();
  });

  const gateway = () => t.app.get(OrderGateway);
  /** A SELL LIMIT of the option far above its price: it rests. */
  const sell = (quantity: number, price = Math.ceil(option.last_price * 3)) => ({
    exchange: 'NFO',
    tradingsymbol: option.tradingsymbol,
    transaction_type: 'SELL' as const,
    quantity,
    product: 'NRML',
    order_type: 'LIMIT' as const,
    price,
  });
  const placementsTo = (tradingsymbol: string) =>
    sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/orders/') && r.body.tradingsymbol === tradingsymbol);
  const modifications = (orderId: string) => sim.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(`/${orderId}`));

  it('a quantity that is not a lot multiple: the leg fails with LotSize and the reason; the simulator never sees it', async () => {
    const before = placementsTo(option.tradingsymbol).length;
    const outcome = await gateway().placeLeg({ strategy: 'sizing-test', parentOrderId: '950001', legName: 'exit', order: sell(100) });
    const reason = `quantity 100 is not a multiple of the lot size 65 of NFO:${option.tradingsymbol} (65 or 130 would be)`;
    expect(outcome).toMatchObject({ status: 'failed', orderId: null, error: { errorType: 'LotSize', message: reason } });
    expect(await t.dataSource.getRepository(Leg).findOneByOrFail({ tag: outcome.tag })).toMatchObject({
      status: 'failed',
      errorType: 'LotSize',
      lastError: reason,
      attempts: 1,
    });
    expect(placementsTo(option.tradingsymbol)).toHaveLength(before);
    expect(legPlacements(sim, outcome.tag)).toHaveLength(0);
    await eventually(() => failed.some((e) => e.leg.tag === outcome.tag), 'leg.failed');
    expect(failed.find((e) => e.leg.tag === outcome.tag)).toMatchObject({ errorType: 'LotSize', message: reason });
    expect(alerts.find((a) => a.fields?.tag === outcome.tag)).toMatchObject({ severity: 'critical', text: `LotSize: ${reason}` });
  });

  it('a limit price off the tick: the leg fails with TickSize, naming the neighbouring ticks', async () => {
    const outcome = await gateway().placeLeg({ strategy: 'sizing-test', parentOrderId: '950002', legName: 'exit', order: sell(65, 101.03) });
    expect(outcome).toMatchObject({ status: 'failed', error: { errorType: 'TickSize' } });
    expect(outcome.error?.message).toBe(`price 101.03 is not a multiple of the tick size 0.05 of NFO:${option.tradingsymbol} (101 or 101.05 would be)`);
    expect(legPlacements(sim, outcome.tag)).toHaveLength(0);
  });

  it('modifications: a price off the tick or a quantity off the lot is refused before Kite, for a leg’s order and for any other', async () => {
    const leg = await gateway().placeLeg({ strategy: 'sizing-test', parentOrderId: '950003', legName: 'exit', order: sell(130) });
    expect(leg.status).toBe('placed');
    // An order placed outside legwork (no leg): its instrument comes from Kite.
    const { order_id: own } = await place(kiteFor(sim), { ...sell(65), tag: 'manual' } as PlaceParams);
    for (const orderId of [leg.orderId!, own]) {
      for (const [change, code] of [
        [{ price: 250.02 }, 'TickSize'],
        [{ quantity: 100 }, 'LotSize'],
        [{ quantity: 1820 }, 'FreezeLimit'],
      ] as const) {
        const error = await refusalOf(gateway().modifyOrder('regular', orderId, change));
        expect(error).toBeInstanceOf(PlacementRefusedError);
        expect(error).toMatchObject({ code });
        expect((error as Error).message).toContain(`(modification of order ${orderId})`);
      }
      expect(modifications(orderId)).toHaveLength(0);
      await gateway().modifyOrder('regular', orderId, { price: 250.05, quantity: 195 });
      expect(sim.getOrder(orderId)).toMatchObject({ price: 250.05, quantity: 195 });
    }
  });

  it('an instrument not in the list is sent unchecked, as before, and said once per symbol', async () => {
    const unlisted = {
      exchange: 'NFO',
      tradingsymbol: 'NIFTY24DEC24200CE',
      transaction_type: 'SELL' as const,
      quantity: 7,
      product: 'NRML',
      order_type: 'LIMIT' as const,
      price: 990,
    };
    const first = await gateway().placeLeg({ strategy: 'sizing-test', parentOrderId: '950004', legName: 'exit', order: unlisted });
    const second = await gateway().placeLeg({ strategy: 'sizing-test', parentOrderId: '950005', legName: 'exit', order: unlisted });
    expect([first.status, second.status]).toEqual(['placed', 'placed']);
    expect(warnings.lines.filter((l) => l.includes('NFO:NIFTY24DEC24200CE is not in the instrument list'))).toHaveLength(1);
  });
});
