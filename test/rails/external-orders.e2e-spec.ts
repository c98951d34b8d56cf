import { resolve, join } from 'node:path';
import request from 'supertest';
import { Order } from '../../src/orders/entities/order.entity';
import type { KiteSimulator } from '../../src/simulator';
import { EventTally } from '../fixtures/strategies-isolation/counting/counting.strategy';
import { engineEnv, legPlacements, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

describe('orders nobody placed through legwork', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;
  beforeAll(async () => {
    sim = await startSimulator();
    t = await startEngine(
      sim,
      engineEnv(sim, tmp.dir, {
        STRATEGIES_DIR: resolve(__dirname, '..', 'fixtures', 'strategies-isolation'),
        STRATEGIES: 'two-leg,counting',
        DATABASE_PATH: join(tmp.dir, 'external.sqlite'),
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    tmp.cleanup();
  });

  it('are tracked in the store, shown outside any chain, and trigger no strategy', async () => {
    sim.clearRequests();
    // Placed by hand in Kite (no tag), and one carrying some other tool's tag.
    const manual = (await place(kiteFor(sim), sbinBuy({ order_type: 'MARKET', price: 0, quantity: 3, market_protection: -1 }))).order_id;
    const otherTool = (await place(kiteFor(sim), sbinBuy({ order_type: 'MARKET', price: 0, quantity: 2, market_protection: -1, tag: 'amibroker' }))).order_id;
    for (const id of [manual, otherTool]) {
      await eventually(async () => {
        await t.settle();
        return (await t.dataSource.getRepository(Order).findOneBy({ orderId: id }))?.status === 'COMPLETE';
      }, `order ${id} tracked`);
      const row = (await request(t.app.getHttpServer()).get(`/api/trade-log/orders/${id}`)).body.order;
      expect(row).toMatchObject({ orderId: id, chainId: null, strategy: null, status: 'COMPLETE' });
    }
    expect(t.app.get(EventTally).seen.filter((s) => s.endsWith(manual) || s.endsWith(otherTool))).toEqual([]);
    expect(legPlacements(sim)).toHaveLength(0);
  });
});
