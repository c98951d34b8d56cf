import request from 'supertest';
import { DataSource, IsNull } from 'typeorm';
import { Leg } from '../../src/broker/entities/leg.entity';
import { sqliteDataSourceOptions } from '../../src/database/data-source.options';
import { ENTITIES } from '../../src/entities';
import { InboxEntry } from '../../src/inbox/inbox-entry.entity';
import { OrderEventRecord } from '../../src/orders/entities/order-event.entity';
import { InstrumentsService } from '../../src/instruments/instruments.service';
import { Notifier } from '../../src/notifier/notifier.service';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, legPlacements, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { HttpRecorder } from '../helpers/http-recorder';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, PlaceParams } from '../simulator/kite-client';

describe('hedge-on-fill strategy: each fill of a tagged option sell is hedged by exactly its quantity', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;
  const webhook = new HttpRecorder();
  /** Options the simulator lists today (NIFTY strikes 25500…26500 around 26000, lot 65), nearest expiry. */
  const listed = (strike: number) => {
    const calls = sim.getInstruments().filter((r) => r.name === 'NIFTY' && r.instrument_type === 'CE');
    const expiry = calls.map((r) => r.expiry).sort()[0];
    return calls.find((r) => r.expiry === expiry && r.strike === strike)!;
  };
  /** A SELL LIMIT this far above the market rests until the test fills it by hand. */
  const restingSell = (strike: number, quantity: number) =>
    ({
      exchange: 'NFO',
      tradingsymbol: listed(strike).tradingsymbol,
      transaction_type: 'SELL',
      quantity,
      product: 'NRML',
      order_type: 'LIMIT',
      price: Math.ceil(listed(strike).last_price * 2),
      tag: 'hedged',
    }) as PlaceParams & { tradingsymbol: string; price: number };

  let env: Record<string, string>;

  beforeAll(async () => {
    await webhook.start();
    sim = await startSimulator();
    env = engineEnv(sim, tmp.dir, { STRATEGIES: 'hedge-on-fill', HEDGE_ON_FILL_DISTANCE: '200', NOTIFY_WEBHOOK_URL: webhook.url });
    t = await startEngine(sim, env);
    await eventually(() => t.app.get(InstrumentsService).listInUse(), "the simulator's instrument list, loaded at start");
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    await webhook.stop();
    tmp.cleanup();
  });

  /** How many times hedge-on-fill's order.filled handler has run, from the engine's metrics. */
  const fillsHandled = async () => {
    const text = (await request(t.app.getHttpServer()).get('/metrics')).text;
    return Number(/legwork_strategy_handler_seconds_count\{strategy="hedge-on-fill",event="order.filled"\} (\d+)/.exec(text)?.[1] ?? 0);
  };

  it('partial fills 3 then 7 lots → hedge buys of 3 and 7 lots of the listed call 200 points further out, one each even when replayed', async () => {
    const kite = kiteFor(sim);
    const sell = restingSell(26_000, 650);
    const { order_id: sold } = await place(kite, sell);
    sim.fillOrder(sold, 195, sell.price);
    await eventually(() => legPlacements(sim).length === 1, 'the first hedge');
    sim.fillOrder(sold, 455, sell.price);
    await eventually(() => legPlacements(sim).length === 2, 'the second hedge');

    const hedge = listed(26_200).tradingsymbol;
    const bodies = legPlacements(sim).map((r) => r.body);
    expect(bodies.map((b) => [b.exchange, b.tradingsymbol, b.transaction_type, b.quantity, b.order_type, b.market_protection, b.product])).toEqual([
      ['NFO', hedge, 'BUY', '195', 'MARKET', '-1', 'NRML'],
      ['NFO', hedge, 'BUY', '455', 'MARKET', '-1', 'NRML'],
    ]);
    expect(new Set(bodies.map((b) => b.tag)).size).toBe(2);

    const legs = await eventually(async () => {
      const rows = await t.dataSource.getRepository(Leg).find({ where: { parentOrderId: sold }, order: { id: 'ASC' } });
      return rows.every((l) => l.status === 'placed') && rows.length === 2 && rows;
    }, 'both hedges marked placed');
    expect(legs.map((l) => [l.legName, l.chainId])).toEqual([
      ['hedge-195', sold],
      ['hedge-650', sold],
    ]);
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
    const db = await new DataSource(sqliteDataSourceOptions({ path: env.DATABASE_PATH, synchronous: 'FULL' }, ENTITIES)).initialize();
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

  it('alerts, and buys nothing, when no strike further out of the money is listed', async () => {
    const posted = webhook.posts.length;
    const placements = legPlacements(sim).length;
    const sell = restingSell(26_500, 65); // the highest listed strike: nothing above it
    const { order_id: sold } = await place(kiteFor(sim), sell);
    sim.fillOrder(sold, 65, sell.price);
    await eventually(async () => {
      await t.settle();
      await t.app.get(Notifier).idle();
      return webhook.posts.length > posted;
    }, 'the alert');
    const expiry = listed(26_500).expiry;
    expect(webhook.posts.at(-1)!.body).toMatchObject({
      severity: 'critical',
      title: `Cannot hedge ${sell.tradingsymbol}`,
      text: `order ${sold} filled 65 but NO hedge was bought: no NIFTY ${expiry} CE is listed above the sold strike 26500 (wanted 26700)`,
    });
    expect(legPlacements(sim)).toHaveLength(placements);
  });
});
