import { join } from 'node:path';
import { LegGroup } from '../../src/broker/entities/leg-group.entity';
import { Leg } from '../../src/broker/entities/leg.entity';
import { GroupLeg, LegGroupService } from '../../src/broker/leg-group.service';
import type { Alert } from '../../src/notifier/alert';
import { Order } from '../../src/orders/entities/order.entity';
import type { KiteSimulator } from '../../src/simulator';
import type { SimulatorOptions } from '../../src/simulator/simulator.options';
import { engineEnv, legPlacements, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { buyOptionLeg, recordAlerts } from '../helpers/legs';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor } from '../simulator/kite-client';

const SHORT = 'NIFTY24DEC24000CE';
const NEAR = 'NIFTY24DEC24200CE';
const FAR = 'NIFTY24DEC24400CE';

const short: GroupLeg = {
  legName: 'short',
  order: { exchange: 'NFO', tradingsymbol: SHORT, transaction_type: 'SELL', quantity: 50, product: 'NRML', order_type: 'LIMIT', price: 90 },
};

/**
 * A hedge group that unwinds is unwound when the reversing orders have filled, not when Kite accepted them. A reversal
 * that is rejected, or fills only partly, is sent again for what is left (bounded), then escalated.
 */
describe('hedge group unwinds: done when the reversal has filled', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp | undefined;
  let alerts: Alert[] = [];
  let parent = 950000;

  async function start(simOptions: Partial<SimulatorOptions>, file: string, extra: Record<string, string> = {}): Promise<void> {
    if (!sim) sim = await startSimulator({ startPrices: { SBIN: 470, [SHORT]: 100, [NEAR]: 40, [FAR]: 15 }, ...simOptions });
    t = await startEngine(sim, engineEnv(sim, tmp.dir, { DATABASE_PATH: join(tmp.dir, file), ...extra }));
    alerts = recordAlerts(t.app);
  }
  async function stop(): Promise<void> {
    await t?.close();
    t = undefined;
  }
  afterEach(async () => {
    await stop();
    await sim?.stop();
    sim = undefined as unknown as KiteSimulator;
  });
  afterAll(() => tmp.cleanup());

  const groups = () => t!.app.get(LegGroupService);
  const group = (id: number) => t!.dataSource.getRepository(LegGroup).findOneByOrFail({ id });
  const legNamed = (parentOrderId: string, legName: string) => t!.dataSource.getRepository(Leg).findOneBy({ parentOrderId, legName });
  const statusBecomes = (id: number, status: string, tick = false) =>
    eventually(
      async () => {
        if (tick) sim.tick();
        await sim.flushPostbacks();
        await t!.settle();
        const g = await group(id);
        return g.status === status && g;
      },
      `group ${id} ${status}`,
      20_000,
    );
  const reversals = () => legPlacements(sim).filter((r) => r.body.transaction_type === 'SELL' && r.body.tradingsymbol === NEAR);

  /** Group with a hedge that fills at once (NEAR) and one that rests under the market (FAR): it times out and unwinds. */
  const timingOut = async (fillTimeoutMs = 2_000) => {
    const p = String(parent++);
    const g = await groups().placeGroup({
      strategy: 'unwind-test',
      parentOrderId: p,
      name: 'strangle',
      fillTimeoutMs,
      legs: [buyOptionLeg(NEAR, 'hedge-near', 'MARKET'), buyOptionLeg(FAR, 'hedge-far', 'LIMIT', 10), short],
    });
    return { p, g };
  };

  it('a reversal rejected by the RMS is sent again; the group is unwound only once a reversal has filled', async () => {
    await start({}, 'rejected-reversal.sqlite');
    const { p, g } = await timingOut();
    sim.rejectNextPlacements(1, 'Insufficient funds'); // the next placement is the first reversal

    const done = await statusBecomes(g.id, 'unwound');
    const first = await legNamed(p, 'strangle/hedge-near:unwind');
    const second = await legNamed(p, 'strangle/hedge-near:unwind2'); // today: never sent, the group "unwound" on a rejected order
    expect(sim.getOrder(first!.orderId!)).toMatchObject({ status: 'REJECTED', status_message: 'Insufficient funds' });
    expect(sim.getOrder(second!.orderId!)).toMatchObject({ transaction_type: 'SELL', tradingsymbol: NEAR, quantity: 50, status: 'COMPLETE' });
    expect(done.reason).toMatch(/first wave not filled/);
    const unwound = alerts.find((a) => a.title.startsWith('Leg group unwound'));
    expect(unwound?.text).toMatch(/Reversed: SELL 50 NIFTY24DEC24200CE/);
  }, 30_000);

  it('a reversal that fills partly and is then cancelled: the rest is reversed, and only then is the group unwound', async () => {
    await start({ partialFillSteps: 2 }, 'partial-reversal.sqlite');
    const { p, g } = await timingOut();
    const near = await legNamed(p, 'strangle/hedge-near');
    // The first reversal fills half, then the rest is cancelled (as the exchange does with what market protection cannot fill).
    const first = await eventually(
      async () => {
        await t!.settle();
        const leg = await legNamed(p, 'strangle/hedge-near:unwind');
        const order = leg?.orderId ? sim.getOrder(leg.orderId) : undefined;
        return order && order.filled_quantity > 0 && order.status === 'OPEN' && order;
      },
      'the first reversal partly filled',
      20_000,
    );
    await kiteFor(sim).cancelOrder('regular', first.order_id);

    await statusBecomes(g.id, 'unwound', true);
    const hedgeFilled = sim.getOrder(near!.orderId!)!.filled_quantity;
    const second = sim.getOrder((await legNamed(p, 'strangle/hedge-near:unwind2'))!.orderId!)!;
    expect(second.quantity).toBe(hedgeFilled - first.filled_quantity);
    expect(second.status).toBe('COMPLETE');
    const reversed = reversals().map((r) => sim.getOrders().find((o) => o.tag === r.body.tag)!.filled_quantity);
    expect(reversed.reduce((a, b) => a + b, 0)).toBe(hedgeFilled);
  }, 40_000);

  it('reversals refused every time: bounded, then a critical alert names what is still open, and the group stays unwinding', async () => {
    await start({}, 'stuck-reversal.sqlite', { LEG_GROUP_UNWIND_ATTEMPTS: '3' });
    const { g } = await timingOut();
    sim.rejectNextPlacements(10, 'Insufficient funds');

    const alert = await eventually(
      async () => {
        await sim.flushPostbacks();
        await t!.settle();
        return alerts.find((a) => a.severity === 'critical' && /still open/i.test(a.text));
      },
      'the escalation',
      20_000,
    );
    expect(alert.text).toMatch(/SELL 50 NIFTY24DEC24200CE/);
    await groups().advance(g.id);
    expect(reversals()).toHaveLength(3);
    expect((await group(g.id)).status).toBe('unwinding');
  }, 30_000);

  it('a hedge partly filled when its group unwinds, with a restart mid-unwind: the filled part is reversed once', async () => {
    await start({}, 'restart-mid-unwind.sqlite');
    const p = String(parent++);
    const g = await groups().placeGroup({
      strategy: 'unwind-test',
      parentOrderId: p,
      name: 'single',
      fillTimeoutMs: 3_000,
      legs: [buyOptionLeg(FAR, 'hedge', 'LIMIT', 10), short],
    });
    const hedge = (await legNamed(p, 'single/hedge'))!.orderId!;
    sim.fillOrder(hedge, 20); // 20 of 50 bought
    await eventually(async () => {
      await sim.flushPostbacks();
      await t!.settle();
      return (await t!.dataSource.getRepository(Order).findOneBy({ orderId: hedge }))?.filledQuantity === 20;
    }, 'the partial fill stored');

    // From here the engine hears nothing: it cancels the hedge at the deadline and waits for it to be final.
    sim.setPostbackFaults({ dropAll: true });
    await statusBecomes(g.id, 'unwinding');
    await eventually(() => sim.getOrder(hedge)!.status === 'CANCELLED', 'the hedge cancelled at Kite', 10_000);
    expect(reversals()).toHaveLength(0);
    await stop();

    sim.clearFaults();
    await start({}, 'restart-mid-unwind.sqlite'); // reconciliation at start tells it the hedge is CANCELLED with 20 filled
    await statusBecomes(g.id, 'unwound');
    const sells = legPlacements(sim).filter((r) => r.body.transaction_type === 'SELL' && r.body.tradingsymbol === FAR);
    expect(sells.map((r) => r.body.quantity)).toEqual(['20']);
    const reversal = await legNamed(p, 'single/hedge:unwind');
    expect(sim.getOrder(reversal!.orderId!)).toMatchObject({ quantity: 20, status: 'COMPLETE' });
    expect(legPlacements(sim).some((r) => r.body.tradingsymbol === SHORT)).toBe(false);
  }, 40_000);
});
