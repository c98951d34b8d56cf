import { Leg } from '../../src/broker/entities/leg.entity';
import { OrderGateway } from '../../src/broker/order-gateway.service';
import type { KiteSimulator } from '../../src/simulator';
import type { PlacementFault } from '../../src/simulator/simulator.options';
import { engineEnv, legPlacements, omsOrdersTagged, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { restingSell } from '../helpers/legs';
import { tempDir, TestApp } from '../helpers/test-app';
import { enterTwoLeg } from '../helpers/two-leg-entry';

/**
 * Kite's answer to a placement can be unclear (5xx, no answer, no body, a 200 that is not JSON, a 400 "Order request
 * timed out") while its OMS has the order — and shows it in the order book only seconds later. The leg then waits in
 * `unknown` until evidence settles it: the order seen on any channel, or its absence proven after the settle window.
 */
describe('unclear placements against an OMS that shows new orders late', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    sim = await startSimulator();
    t = await startEngine(sim, engineEnv(sim, tmp.dir, { STRATEGIES: 'two-leg', LEG_SETTLE_WINDOW_MS: '5000', LEG_RECOVERY_INTERVAL_SECONDS: '1' }));
    url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterEach(() => {
    sim.releaseHeldPlacements();
    sim.clearFaults();
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    tmp.cleanup();
  });

  const legRow = (tag: string) => t.dataSource.getRepository(Leg).findOneByOrFail({ tag });
  const placedLeg = (tag: string, timeoutMs = 20_000) =>
    eventually(
      async () => {
        const leg = await t.dataSource.getRepository(Leg).findOneBy({ tag });
        return leg?.status === 'placed' && leg;
      },
      `leg ${tag} placed`,
      timeoutMs,
    );

  it('two-leg: Kite answers 503 after its OMS accepted the exit, twice, and shows orders 3 s late → one exit order, linked to the leg', async () => {
    sim.setOrderVisibilityLag(3_000);
    sim.failNextPlacements(2, { status: 503, createOrder: true });
    const { tag } = await enterTwoLeg(url);

    const leg = await placedLeg(tag);
    expect(omsOrdersTagged(sim, tag)).toHaveLength(1); // today: three live exit orders
    expect(legPlacements(sim, tag)).toHaveLength(1);
    expect(leg.orderId).toBe(omsOrdersTagged(sim, tag)[0].order_id);
  }, 30_000);

  let parent = 920000;
  it.each<[string, Omit<PlacementFault, 'count' | 'createOrder'>]>([
    ['a 503 NetworkException', { kind: 'error', status: 503 }],
    ['a 400 "Order request timed out" (no error_type)', { kind: 'error', status: 400 }],
    ['a 502 with no body', { kind: 'empty' }],
    ['a 200 that is not JSON', { kind: 'garbage' }],
    ['no answer before the client gives up', { kind: 'timeout', holdMs: 60_000 }],
  ])(
    '%s while the OMS took the order: the leg is unknown, then linked to the order when it shows; nothing is sent again',
    async (_, fault) => {
      // Well past kiteconnect's 7 s timeout when the call is held: the order shows only after the unclear answer.
      sim.setOrderVisibilityLag(fault.kind === 'timeout' ? 10_000 : 1_500);
      sim.setPlacementFault({ ...fault, count: 1, createOrder: true });
      const placing = t.app.get(OrderGateway).placeLeg({ strategy: 'unclear-test', parentOrderId: String(parent++), legName: 'exit', order: restingSell(990) });
      if (fault.kind === 'timeout') {
        // The simulator holds the call; kiteconnect gives up after its own timeout (7 s), as it would against Kite.
        await eventually(() => sim.requests.some((r) => r.method === 'POST' && r.path === '/orders/regular'), 'the placement to arrive');
      }
      const outcome = await placing;
      expect(outcome).toMatchObject({ status: 'pending', orderId: null });
      expect((await legRow(outcome.tag)).status).toBe('unknown');

      const leg = await placedLeg(outcome.tag);
      expect(legPlacements(sim, outcome.tag)).toHaveLength(1);
      expect(omsOrdersTagged(sim, outcome.tag)).toHaveLength(1);
      expect(leg.orderId).toBe(omsOrdersTagged(sim, outcome.tag)[0].order_id);
      sim.clearRequests();
    },
    30_000,
  );

  it('an unclear answer for an order the OMS never took: sent again with the same tag only after the settle window, once', async () => {
    sim.failNextPlacements(1, { status: 502, createOrder: false });
    const outcome = await t.app
      .get(OrderGateway)
      .placeLeg({ strategy: 'unclear-test', parentOrderId: String(parent++), legName: 'exit', order: restingSell(991) });
    expect(outcome.status).toBe('pending'); // today: sent again at once, 'placed'
    expect(await legRow(outcome.tag)).toMatchObject({ status: 'unknown', attempts: 1 });

    const leg = await placedLeg(outcome.tag);
    expect(leg.attempts).toBe(2);
    expect(legPlacements(sim, outcome.tag).map((r) => r.body.tag)).toEqual([outcome.tag, outcome.tag]);
    expect(omsOrdersTagged(sim, outcome.tag)).toHaveLength(1);
  }, 30_000);
});
