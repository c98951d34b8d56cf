import request from 'supertest';
import { DataSource, IsNull } from 'typeorm';
import { Leg } from '../../src/broker/entities/leg.entity';
import { sqliteDataSourceOptions } from '../../src/database/data-source.options';
import { InboxEntry } from '../../src/inbox/inbox-entry.entity';
import { OrderEventRecord } from '../../src/orders/entities/order-event.entity';
import type { KiteSimulator } from '../../src/simulator';
import { hedgeSymbol } from '../../strategies/hedge-on-fill/hedge-on-fill.strategy';
import { engineEnv, legPlacements, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place } from '../simulator/kite-client';

describe('hedge-on-fill strategy: each fill of a tagged option sell is hedged by exactly its quantity', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;
  let env: Record<string, string>;
  const SOLD = 'NIFTY24DEC24000CE';

  beforeAll(async () => {
    sim = await startSimulator({ startPrices: { [SOLD]: 100, NIFTY24DEC24200CE: 40 } });
    env = engineEnv(sim, tmp.dir, { STRATEGIES: 'hedge-on-fill', HEDGE_ON_FILL_DISTANCE: '200' });
    t = await startEngine(sim, env);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    tmp.cleanup();
  });

  /** How many times hedge-on-fill's order.filled handler has run, from the engine's metrics. */
  const fillsHandled = async () => {
    const text = (await request(t.app.getHttpServer()).get('/metrics')).text;
    return Number(/legwork_strategy_handler_seconds_count\{strategy="hedge-on-fill",event="order.filled"\} (\d+)/.exec(text)?.[1] ?? 0);
  };

  it('partial fills 3 then 7 → hedge buys of 3 and 7 in the further OTM call, one each even when replayed', async () => {
    const kite = kiteFor(sim);
    // A SELL LIMIT above the market rests until we fill it by hand.
    const { order_id: sold } = await place(kite, {
      exchange: 'NFO', tradingsymbol: SOLD, transaction_type: 'SELL', quantity: 10, product: 'NRML', order_type: 'LIMIT', price: 150, tag: 'hedged',
    });
    sim.fillOrder(sold, 3, 150);
    await eventually(() => legPlacements(sim).length === 1, 'the first hedge');
    sim.fillOrder(sold, 7, 150);
    await eventually(() => legPlacements(sim).length === 2, 'the second hedge');

    const bodies = legPlacements(sim).map((r) => r.body);
    expect(bodies.map((b) => [b.exchange, b.tradingsymbol, b.transaction_type, b.quantity, b.order_type, b.market_protection, b.product])).toEqual([
      ['NFO', 'NIFTY24DEC24200CE', 'BUY', '3', 'MARKET', '-1', 'NRML'],
      ['NFO', 'NIFTY24DEC24200CE', 'BUY', '7', 'MARKET', '-1', 'NRML'],
    ]);
    expect(new Set(bodies.map((b) => b.tag)).size).toBe(2);

    const legs = await eventually(async () => {
      const rows = await t.dataSource.getRepository(Leg).find({ where: { parentOrderId: sold }, order: { id: 'ASC' } });
      return rows.every((l) => l.status === 'placed') && rows.length === 2 && rows;
    }, 'both hedges marked placed');
    expect(legs.map((l) => [l.legName, l.chainId])).toEqual([['hedge-3', sold], ['hedge-10', sold]]);
    const hedged = legs.map((l) => sim.getOrder(l.orderId!)!.filled_quantity).reduce((a, b) => a + b, 0);
    expect(hedged).toBe(sim.getOrder(sold)!.filled_quantity); // total hedged = total sold

    // Replayed postbacks: every update the engine stored for the sold order, sent again exactly as received.
    const stored = await t.dataSource.getRepository(InboxEntry).find({ where: { orderId: sold }, order: { id: 'ASC' } });
    expect(stored.length).toBeGreaterThanOrEqual(2);
    for (const entry of stored) {
      expect((await request(t.app.getHttpServer()).post('/kite/postback').type('form').send(entry.rawBody)).status).toBe(200);
    }
    await t.settle();
    expect(await t.dataSource.getRepository(InboxEntry).countBy({ orderId: sold })).toBe(stored.length);
    expect(legPlacements(sim)).toHaveLength(2);

    // Redelivered events: as if the engine died after placing the hedges but before marking the fills delivered.
    // At the next start the outbox publishes both fills again and the strategy handles them again.
    const fills = { orderId: sold, type: 'order.filled' };
    expect(await t.dataSource.getRepository(OrderEventRecord).countBy(fills)).toBe(2);
    const before = await fillsHandled();
    await t.close();
    const db = await new DataSource(sqliteDataSourceOptions({ path: env.DATABASE_PATH, synchronous: 'FULL' })).initialize();
    await db.getRepository(OrderEventRecord).update({ orderId: sold }, { dispatchedAt: null });
    await db.destroy();
    t = await startEngine(sim, env);
    // The handler ran once more for each fill (the metric is process-wide, so counted from before the restart).
    await eventually(async () => {
      await t.settle();
      return (await fillsHandled()) === before + 2;
    }, 'both fills handled again after the restart');
    expect(await t.dataSource.getRepository(OrderEventRecord).countBy({ ...fills, dispatchedAt: IsNull() })).toBe(0);
    expect(legPlacements(sim)).toHaveLength(2);
    expect(await t.dataSource.getRepository(Leg).countBy({ parentOrderId: sold })).toBe(2);
  });

  it('derives the hedge symbol for monthly and weekly expiries, calls and puts', () => {
    expect(hedgeSymbol('NIFTY24DEC24000CE', 200)).toBe('NIFTY24DEC24200CE');
    expect(hedgeSymbol('BANKNIFTY24D1851000PE', 500)).toBe('BANKNIFTY24D1850500PE');
    expect(hedgeSymbol('NIFTY2491924000PE', 100)).toBe('NIFTY2491923900PE');
    expect(hedgeSymbol('SBIN', 100)).toBeNull();
  });
});
