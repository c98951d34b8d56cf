import { legTag } from '../../src/broker/leg-tag';
import { Leg } from '../../src/broker/entities/leg.entity';
import { Order } from '../../src/orders/entities/order.entity';
import { OrderEventRecord } from '../../src/orders/entities/order-event.entity';
import { OrderEventPublisher } from '../../src/orders/order-event.publisher';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, legPlacements, omsOrdersTagged, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

describe('two-leg strategy: entry completes → exit leg through kiteconnect, exactly once', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;

  beforeAll(async () => {
    sim = await startSimulator();
    t = await startEngine(sim, engineEnv(sim, tmp.dir, { STRATEGIES: 'two-leg', TWO_LEG_TARGET_POINTS: '5' }));
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    tmp.cleanup();
  });

  it('places the exit LIMIT at entry average + target for the filled quantity, once, even when the postback repeats', async () => {
    sim.setPostbackFaults({ duplicate: true }); // every postback arrives twice, byte-identical
    const kite = kiteFor(sim);
    const { order_id: entry } = await place(kite, sbinBuy({ order_type: 'MARKET', price: 0, quantity: 10, product: 'MIS', tag: 'twoleg' }));
    const average = sim.getOrder(entry)!.average_price;
    const tag = legTag('two-leg', entry, 'exit');

    const [request] = await eventually(() => legPlacements(sim, tag).length > 0 && legPlacements(sim, tag), 'the exit leg placement');
    expect(request.path).toBe('/orders/regular');
    expect(request.body).toMatchObject({
      variety: 'regular',
      exchange: 'NSE',
      tradingsymbol: 'SBIN',
      transaction_type: 'SELL',
      quantity: '10',
      product: 'MIS',
      order_type: 'LIMIT',
      price: String(Math.round((average + 5) * 100) / 100),
      validity: 'DAY',
      tag,
    });

    const leg = await eventually(() => t.dataSource.getRepository(Leg).findOneBy({ tag, status: 'placed' }), 'the leg marked placed');
    expect(leg).toMatchObject({ strategy: 'two-leg', chainId: entry, parentOrderId: entry, legName: 'exit', attempts: 1 });
    expect(leg.orderId).toBe(omsOrdersTagged(sim, tag)[0].order_id);

    // The same event delivered again (what a crash between a handler and the outbox mark does): nothing new is sent.
    await sim.flushPostbacks();
    await t.settle();
    await t.dataSource.getRepository(OrderEventRecord).update({ orderId: entry }, { dispatchedAt: null });
    await t.app.get(OrderEventPublisher).publishPending();
    expect(legPlacements(sim, tag)).toHaveLength(1);
    expect(omsOrdersTagged(sim, tag)).toHaveLength(1);
    expect(await t.dataSource.getRepository(Leg).countBy({ parentOrderId: entry })).toBe(1);
    sim.clearFaults();
  });

  it('ignores orders without its tag', async () => {
    sim.clearRequests();
    const { order_id: untagged } = await place(kiteFor(sim), sbinBuy({ order_type: 'MARKET', price: 0, quantity: 3 }));
    await eventually(async () => {
      await sim.flushPostbacks();
      await t.settle();
      return (await t.dataSource.getRepository(Order).findOneBy({ orderId: untagged }))?.status === 'COMPLETE';
    }, 'the untagged order completed in the store');
    expect(legPlacements(sim)).toHaveLength(0);
  });
});
