import { join } from 'node:path';
import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { Leg } from '../../src/broker/entities/leg.entity';
import { LegRecoveryService } from '../../src/broker/leg-recovery.service';
import { legTag } from '../../src/broker/leg-tag';
import { OrderGateway } from '../../src/broker/order-gateway.service';
import { LegEventName, LegPlacedEvent } from '../../src/events';
import type { Alert } from '../../src/notifier/alert';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, legPlacements, omsOrdersTagged, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { recordAlerts, restingSell } from '../helpers/legs';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, PlaceParams } from '../simulator/kite-client';

/** Any order carrying a leg's tag is linked to that leg whenever it is seen; a second live order for one leg is an alarm. */
describe('evidence settles legs: orders carrying a leg tag, seen on any channel', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;
  let alerts: Alert[];
  const start = async (file: string, extra: Record<string, string> = {}) => {
    await t?.close();
    t = await startEngine(sim, engineEnv(sim, tmp.dir, { DATABASE_PATH: join(tmp.dir, file), LEG_RECOVERY_INTERVAL_SECONDS: '0', ...extra }));
    alerts = recordAlerts(t.app);
  };
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.clearFaults());
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    tmp.cleanup();
  });
  const legs = () => t.dataSource.getRepository(Leg);
  const reconcile = () => request(t.app.getHttpServer()).post('/reconcile').expect(200);
  const placeTagged = (tag: string, overrides: Partial<PlaceParams> = {}) =>
    place(kiteFor(sim), {
      exchange: 'NSE',
      tradingsymbol: 'SBIN',
      transaction_type: 'SELL',
      quantity: 1,
      product: 'MIS',
      order_type: 'LIMIT',
      price: 995,
      tag,
      ...overrides,
    });

  it('a leg given up as failed is linked to an order with its tag that shows up later, with a critical alert', async () => {
    await start('failed-then-seen.sqlite');
    const tag = legTag('evidence-test', '930001', 'exit');
    await legs().insert({
      strategy: 'evidence-test',
      chainId: '930001',
      parentOrderId: '930001',
      legName: 'exit',
      tag,
      status: 'failed',
      orderId: null,
      request: JSON.stringify({ variety: 'regular', ...restingSell(995), tag }),
      attempts: 3,
      errorType: 'NotPlaced',
      lastError: 'absent after the settle window',
    });
    // The order arrives late after all, and fills: its postback carries the leg's tag.
    const { order_id } = await placeTagged(tag, { order_type: 'MARKET', price: undefined });
    const leg = await eventually(async () => {
      await sim.flushPostbacks();
      await t.settle();
      const row = await legs().findOneByOrFail({ tag });
      return row.orderId && row;
    }, 'the failed leg linked to the late order');
    expect(leg).toMatchObject({ status: 'placed', orderId: order_id });
    await eventually(() => alerts.some((a) => a.text.includes(order_id)), 'the alert naming the late order');
    expect(alerts).toContainEqual(expect.objectContaining({ severity: 'critical', text: expect.stringContaining(order_id) }));
  });

  it('two live orders for one leg: a critical alert names both, and the extra one still open is cancelled', async () => {
    await start('duplicate.sqlite');
    const outcome = await t.app.get(OrderGateway).placeLeg({ strategy: 'evidence-test', parentOrderId: '930002', legName: 'exit', order: restingSell(996) });
    expect(outcome.status).toBe('placed');
    const extra = (await placeTagged(outcome.tag, { price: 997 })).order_id; // e.g. an unclear answer's order that showed after the window
    await reconcile(); // the order book is read: both orders carry the tag
    await eventually(() => sim.getOrder(extra)!.status === 'CANCELLED', 'the extra order cancelled');
    expect(sim.getOrder(outcome.orderId!)!.status).toBe('OPEN');
    expect(await legs().findOneByOrFail({ tag: outcome.tag })).toMatchObject({ status: 'placed', orderId: outcome.orderId });
    // The alert is sent on its own course, not necessarily before the cancel lands: wait for it like the next test does.
    const alert = await eventually(() => alerts.find((a) => a.severity === 'critical' && a.text.includes(extra)), 'the duplicate alert');
    expect(alert.text).toContain(outcome.orderId!);
  });

  it('with LEG_CANCEL_DUPLICATES=false the extra order is left alone; the alert still goes out', async () => {
    await start('duplicate-kept.sqlite', { LEG_CANCEL_DUPLICATES: 'false' });
    const outcome = await t.app.get(OrderGateway).placeLeg({ strategy: 'evidence-test', parentOrderId: '930003', legName: 'exit', order: restingSell(998) });
    const extra = (await placeTagged(outcome.tag, { price: 999 })).order_id;
    await reconcile();
    await eventually(() => alerts.some((a) => a.severity === 'critical' && a.text.includes(extra)), 'the duplicate alert');
    expect(sim.getOrder(extra)!.status).toBe('OPEN');
  });

  it('the order-book lookup itself fails after an unclear answer: the leg waits for the recovery pass and is settled once', async () => {
    await start('lookup-fails.sqlite');
    const placed: LegPlacedEvent[] = [];
    t.app.get(EventEmitter2).on(LegEventName.Placed, (e: LegPlacedEvent) => void placed.push(e));
    sim.failNextPlacements(1, { status: 503, createOrder: true });
    sim.failNextOrderBookReads(1);
    const outcome = await t.app.get(OrderGateway).placeLeg({ strategy: 'evidence-test', parentOrderId: '930004', legName: 'exit', order: restingSell(994) });
    expect(outcome.status).toBe('pending');
    expect(await legs().findOneByOrFail({ tag: outcome.tag })).toMatchObject({ status: 'unknown', orderId: null });

    const recovery = t.app.get(LegRecoveryService);
    await recovery.recover();
    await recovery.recover(); // a second pass finds nothing left to do
    const leg = await legs().findOneByOrFail({ tag: outcome.tag });
    expect(leg).toMatchObject({ status: 'placed', orderId: omsOrdersTagged(sim, outcome.tag)[0].order_id });
    expect(legPlacements(sim, outcome.tag)).toHaveLength(1);
    expect(omsOrdersTagged(sim, outcome.tag)).toHaveLength(1);
    expect(placed.filter((e) => e.leg.tag === outcome.tag)).toHaveLength(1);
  });
});
