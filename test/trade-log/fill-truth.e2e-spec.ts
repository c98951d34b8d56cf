import { join } from 'node:path';
import request from 'supertest';
import { Leg } from '../../src/broker/entities/leg.entity';
import { InboxService } from '../../src/inbox/inbox.service';
import { Fill } from '../../src/orders/entities/fill.entity';
import { OrderEventRecord } from '../../src/orders/entities/order-event.entity';
import { KiteSimulator } from '../../src/simulator';
import { toPostback } from '../../src/simulator/kite-rows';
import { TradeLogService } from '../../src/trade-log/trade-log.service';
import { engineEnv, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { orderUpdate, SAMPLE_API_SECRET } from '../helpers/postbacks';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

/**
 * What the trade log says happened must be what happened: fills in the order they happened at the exchange, no fill
 * at a price Kite never traded at, and FIFO P&L that never offsets one exchange's instrument against another's.
 */
describe('trade-log truth: fill times, unpriced fills, P&L per exchange and symbol', () => {
  const tmp = tempDir('legwork-fill-truth-');
  afterAll(() => tmp.cleanup());

  describe('through the real pipeline (postbacks → inbox → order state → fills)', () => {
    let t: TestApp;
    const ENTRY = '251125000000101';
    beforeAll(async () => {
      t = await createTestApp(testEnv(tmp.dir, { DATABASE_PATH: join(tmp.dir, 'pipeline.sqlite'), RECONCILE_ON_BOOT: 'false' }));
      // Kite's exchange_timestamp is when the exchange registered the order; exchange_update_timestamp is when this
      // update (here: the fill) happened. The entry rests from 09:15 and fills only at 11:00.
      const orders: Array<{ id: string; exchange: string; side: 'BUY' | 'SELL'; price: number; placedAt: string; filledAt: string; tag: string | null }> = [
        { id: ENTRY, exchange: 'NSE', side: 'BUY', price: 100, placedAt: '2026-11-25 09:15:00', filledAt: '2026-11-25 11:00:00', tag: null },
        { id: '251125000000102', exchange: 'NSE', side: 'BUY', price: 105, placedAt: '2026-11-25 09:30:00', filledAt: '2026-11-25 09:31:00', tag: 'lwtruth1' },
        { id: '251125000000103', exchange: 'NSE', side: 'SELL', price: 110, placedAt: '2026-11-25 10:00:00', filledAt: '2026-11-25 10:00:00', tag: 'lwtruth2' },
        // The same symbol on another exchange is another instrument.
        { id: '251125000000104', exchange: 'BSE', side: 'SELL', price: 120, placedAt: '2026-11-25 10:30:00', filledAt: '2026-11-25 10:30:00', tag: 'lwtruth3' },
      ];
      const inbox = t.app.get(InboxService);
      for (const o of orders) {
        const common = {
          tradingsymbol: 'SBIN',
          exchange: o.exchange,
          transaction_type: o.side,
          order_timestamp: o.placedAt,
          exchange_timestamp: o.placedAt,
          price: o.price,
          tag: o.tag,
        };
        for (const body of [orderUpdate(o.id, 'OPEN', 0, 1, 0, o.placedAt, common), orderUpdate(o.id, 'COMPLETE', 1, 1, o.price, o.filledAt, common)]) {
          await inbox.accept(JSON.stringify(body), body, 'postback');
        }
      }
      await t.settle();
      const legs = t.dataSource.getRepository(Leg);
      for (const [i, o] of orders.slice(1).entries()) {
        await legs.insert({
          strategy: 'truth',
          chainId: ENTRY,
          parentOrderId: ENTRY,
          legName: `leg${i + 1}`,
          tag: o.tag!,
          status: 'placed',
          orderId: o.id,
          request: '{}',
          attempts: 1,
          errorType: null,
          lastError: null,
        });
      }
    });
    afterAll(() => t.close());

    it('a fill is timed by exchange_update_timestamp (when it happened), not exchange_timestamp (when the order was registered)', async () => {
      const fills = await t.app.get(TradeLogService).fills({ chain: ENTRY });
      expect(fills.map((f) => [f.time, f.orderId])).toEqual([
        ['2026-11-25 09:31:00', '251125000000102'],
        ['2026-11-25 10:00:00', '251125000000103'],
        ['2026-11-25 10:30:00', '251125000000104'],
        ['2026-11-25 11:00:00', ENTRY],
      ]);
    });

    it('FIFO follows the fills in the order they happened and matches per exchange + tradingsymbol', async () => {
      const [chain] = await t.app.get(TradeLogService).chains({ chain: ENTRY });
      // NSE: buy 105 (09:31) is closed by the sell at 110 (10:00): +5; the entry's buy at 100 (11:00) stays open.
      // BSE: the sell at 120 opens a short that no NSE buy may close.
      expect(chain.pnl.realised).toBe(5);
      expect(chain.pnl.instruments.map((i) => [i.exchange, i.tradingsymbol, i.matchedQuantity, i.realised, i.openQuantity, i.openAveragePrice])).toEqual([
        ['BSE', 'SBIN', 0, 0, -1, 120],
        ['NSE', 'SBIN', 1, 5, 1, 100],
      ]);
      expect(chain.pnl.openQuantity).toBe(2);
    });
  });

  describe('a fill reported with average_price 0, against the simulator', () => {
    let sim: KiteSimulator;
    let t: TestApp;
    beforeAll(async () => {
      sim = await startSimulator({ postbackOnOpen: true });
      t = await startEngine(sim, engineEnv(sim, tmp.dir, { DATABASE_PATH: join(tmp.dir, 'unpriced.sqlite'), RECONCILE_ON_BOOT: 'false' }));
    });
    afterAll(async () => {
      await t.close();
      await sim.stop();
    });

    it("is stored unpriced (never at 0), then priced from Kite's trades off the postback path", async () => {
      const kite = kiteFor(sim);
      const { order_id: orderId } = await place(kite, sbinBuy({ price: 400, quantity: 10 })); // rests below the market
      await sim.flushPostbacks();
      // Kite's own postbacks stop reaching the engine; the fills happen at 400.5 and 401 in the OMS.
      sim.setPostbackFaults({ dropAll: true });
      const account = { userId: sim.options.userId, appId: sim.options.appId, apiSecret: SAMPLE_API_SECRET };
      const partial = { ...sim.fillOrder(orderId, 4, 400.5) };
      const complete = { ...sim.fillOrder(orderId, 6, 401) };
      expect(complete).toMatchObject({ status: 'COMPLETE', filled_quantity: 10, average_price: 400.8 });
      // What arrives instead: the partial fill without its average (average_price 0), then the completion with it.
      for (const postback of [toPostback({ ...partial, average_price: 0 }, 'UPDATE', account), toPostback(complete, 'COMPLETE', account)]) {
        await request(t.app.getHttpServer())
          .post('/kite/postback')
          .set('content-type', 'application/x-www-form-urlencoded')
          .send(JSON.stringify(postback))
          .expect(200);
      }
      await t.settle();

      // The order.filled events said so: neither rise can be priced from the averages (the value of the first 4 is unknown).
      const filled = await t.dataSource.getRepository(OrderEventRecord).find({ where: { orderId, type: 'order.filled' }, order: { id: 'ASC' } });
      expect(filled.map((e) => JSON.parse(e.payload).fill)).toEqual([
        { quantity: 4, price: null, cumulativeQuantity: 4 },
        { quantity: 6, price: null, cumulativeQuantity: 10 },
      ]);

      // The pricer reads Kite's trades: 4 @ 400.5, then 6 @ 401.
      const fills = await eventually(async () => {
        const rows = await t.dataSource.getRepository(Fill).find({ where: { orderId }, order: { cumulativeQuantity: 'ASC' } });
        return rows.every((f) => f.price !== null) && rows;
      }, 'the fills to be priced from trades');
      expect(fills.map((f) => [f.quantity, f.price, f.cumulativeQuantity])).toEqual([
        [4, 400.5, 4],
        [6, 401, 10],
      ]);
      expect(sim.requests.filter((r) => r.method === 'GET' && r.path === '/trades').length).toBeGreaterThan(0);
    });
  });
});
