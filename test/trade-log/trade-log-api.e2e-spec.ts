import request from 'supertest';
import { loadLegworkConfig } from '../../src/config/legwork.config';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';
import { CHAIN_A, CHAIN_B, CHAIN_C, DAY, LEG_ERROR, REJECTION, seedTradeLog } from './seed';

const TOKEN = 'trade-log-test-token-0123';

describe('trade-log JSON API and page (/api/trade-log, /trades)', () => {
  const tmp = tempDir('legwork-trades-api-');
  beforeAll(async () => {
    await seedTradeLog(tmp.dir);
  });
  afterAll(() => tmp.cleanup());

  /** The whole engine on the seeded file, with extra environment. */
  async function engine(extra: Record<string, string>): Promise<TestApp> {
    return createTestApp(testEnv(tmp.dir, { RECONCILE_ON_BOOT: 'false', ...extra }));
  }

  describe('on loopback without a token (open)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await engine({});
    });
    afterAll(() => t.close());
    const get = (path: string) => request(t.app.getHttpServer()).get(path);

    it('GET /pnl: realised P&L per chain and strategy for a day', async () => {
      const res = await get(`/api/trade-log/pnl?date=${DAY}`).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        chains: [
          { chainId: CHAIN_A, strategy: 'breakout', date: DAY, tradingsymbols: ['INFY'], matchedQuantity: 10, openQuantity: 0, realised: 199 },
          { chainId: CHAIN_B, strategy: 'breakout', date: DAY, tradingsymbols: ['RELIANCE'], matchedQuantity: 5, openQuantity: 0, realised: -52 },
          {
            chainId: CHAIN_C,
            strategy: 'hedger',
            date: DAY,
            tradingsymbols: ['NIFTY25NOV23500PE', 'NIFTY25NOV24000CE'],
            matchedQuantity: 50,
            openQuantity: 100,
            realised: 525,
          },
        ],
        strategies: [
          { strategy: 'breakout', chains: 2, openChains: 0, matchedQuantity: 15, realised: 147 },
          { strategy: 'hedger', chains: 1, openChains: 1, matchedQuantity: 50, realised: 525 },
        ],
        total: { chains: 3, matchedQuantity: 65, realised: 672 },
      });
      expect((await get('/api/trade-log/pnl?strategy=breakout').expect(200)).body.total).toEqual({ chains: 3, matchedQuantity: 16, realised: 157 });
    });

    it('GET /chains: each chain with its root order and legs as a timeline', async () => {
      const { body } = await get(`/api/trade-log/chains?date=${DAY}`).expect(200);
      expect(body.chains.map((c: { chainId: string }) => c.chainId)).toEqual([CHAIN_A, CHAIN_B, CHAIN_C]);
      const c = body.chains[2];
      expect(
        c.timeline.map(
          (s: { at: string; kind: string; legName: string; order: { orderId: string; status: string } | null; leg: { status: string } | null }) => [
            s.at,
            s.kind,
            s.legName,
            s.order?.orderId ?? null,
            s.order?.status ?? s.leg?.status,
          ],
        ),
      ).toEqual([
        ['2026-11-25 13:00:00', 'entry', 'entry', CHAIN_C, 'COMPLETE'],
        ['2026-11-25 13:00:02', 'leg', 'hedge', '251125000000008', 'COMPLETE'],
        ['2026-11-25 13:00:03', 'leg', 'exit', '251125000000009', 'OPEN'],
        ['2026-11-25 14:45:01', 'leg', 'rehedge', null, 'failed'],
      ]);
      expect(c.timeline[3].leg).toMatchObject({ errorType: 'InputException', lastError: LEG_ERROR, parentOrderId: '251125000000009' });
      expect(c.pnl).toMatchObject({ realised: 525, matchedQuantity: 50, openQuantity: 100 });
      expect((await get('/api/trade-log/chains?date=2026-11-24').expect(200)).body.chains).toHaveLength(1);
      expect((await get('/api/trade-log/chains?date=2026-11-26').expect(200)).body.chains).toEqual([]);
    });

    it('GET /orders: filtered by status, with the rejection reason', async () => {
      const { body } = await get('/api/trade-log/orders?status=REJECTED').expect(200);
      expect(body.orders).toEqual([
        expect.objectContaining({
          orderId: '251125000000006',
          chainId: CHAIN_B,
          strategy: 'breakout',
          legName: 'target',
          status: 'REJECTED',
          statusMessage: REJECTION,
        }),
      ]);
      const bySymbol = await get(`/api/trade-log/orders?symbol=INFY&date=${DAY}`).expect(200);
      expect(bySymbol.body.orders.map((o: { orderId: string }) => o.orderId)).toEqual([CHAIN_A, '251125000000002', '251125000000003']);
    });

    it('GET /orders/:id: the state history from order_events, fills and the leg', async () => {
      const { body } = await get(`/api/trade-log/orders/${CHAIN_A}`).expect(200);
      expect(body.order).toMatchObject({ orderId: CHAIN_A, chainId: CHAIN_A, legName: 'entry', status: 'COMPLETE', filledQuantity: 10 });
      expect(body.leg).toBeNull();
      expect(
        body.events.map((e: { type: string; status: string; filledQuantity: number; source: string; exchangeUpdateTimestamp: string }) => [
          e.type,
          e.status,
          e.filledQuantity,
          e.source,
          e.exchangeUpdateTimestamp,
        ]),
      ).toEqual([
        ['order.opened', 'OPEN', 0, 'postback', '2026-11-25 09:20:00'],
        ['order.filled', 'OPEN', 4, 'postback', '2026-11-25 09:20:05'],
        ['order.filled', 'COMPLETE', 10, 'postback', '2026-11-25 09:20:06'],
        ['order.completed', 'COMPLETE', 10, 'postback', '2026-11-25 09:20:06'],
      ]);
      expect(body.events[1].fill).toEqual({ quantity: 4, price: 1499.5, cumulativeQuantity: 4 });
      expect(body.fills.map((f: { quantity: number; price: number; cumulativeQuantity: number }) => [f.quantity, f.price, f.cumulativeQuantity])).toEqual([
        [4, 1499.5, 4],
        [6, 1500.5, 10],
      ]);

      const rejected = await get('/api/trade-log/orders/251125000000006').expect(200);
      expect(rejected.body.events).toEqual([expect.objectContaining({ type: 'order.rejected', reason: REJECTION })]);
      expect(rejected.body.leg).toMatchObject({ legName: 'target', tag: 'LWbrkB1tg', status: 'placed' });
      expect((await get('/api/trade-log/orders/123').expect(404)).body.message).toBe('no order 123 in the trade log');
    });

    it('GET /fills and /days', async () => {
      const { body } = await get(`/api/trade-log/fills?chain=${CHAIN_C}`).expect(200);
      expect(
        body.fills.map((f: { time: string; transactionType: string; quantity: number; price: number }) => [f.time, f.transactionType, f.quantity, f.price]),
      ).toEqual([
        ['2026-11-25 13:00:00', 'BUY', 75, 120.5],
        ['2026-11-25 13:00:02', 'SELL', 75, 80.25],
        ['2026-11-25 14:45:00', 'SELL', 50, 131],
      ]);
      expect((await get('/api/trade-log/days').expect(200)).body).toEqual({ days: [DAY, '2026-11-24'] });
    });

    it('answers 400 to a malformed date', async () => {
      expect((await get('/api/trade-log/chains?date=25-11-2026').expect(400)).body.message).toEqual(['date must be yyyy-mm-dd']);
      expect((await get('/api/trade-log/pnl?date=2026-02-30').expect(400)).body.message).toBe('date must be yyyy-mm-dd, got "2026-02-30"');
    });

    it('serves the page with a strict content security policy, and its assets', async () => {
      const page = await get('/trades').expect(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.text).toContain('<script src="/trades/assets/trade-log.js" defer></script>');
      expect((await get('/trades/assets/trade-log.js').expect(200)).headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect((await get('/trades/assets/trade-log.css').expect(200)).headers['content-type']).toBe('text/css; charset=utf-8');
      await get('/trades/assets/..%2Ftrade-log.service.ts').expect(404);
      await get('/trades/assets/index.html').expect(404);
    });

    it('refuses requests relayed by a proxy or tunnel (no token configured)', async () => {
      const res = await get('/api/trade-log/pnl').set('X-Forwarded-For', '203.0.113.9').expect(403);
      expect(res.body.message).toContain('TRADE_LOG_TOKEN');
      await get('/trades').set('Forwarded', 'for=203.0.113.9').expect(403);
    });
  });

  describe('with TRADE_LOG_TOKEN set (loopback)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await engine({ TRADE_LOG_TOKEN: TOKEN });
    });
    afterAll(() => t.close());
    const get = (path: string) => request(t.app.getHttpServer()).get(path);

    it('answers 401 without the token, and asks for a Bearer token', async () => {
      const res = await get('/api/trade-log/chains').expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="legwork trade log"');
      expect(res.body.message).toContain('Authorization: Bearer');
      await get('/api/trade-log/chains').set('Authorization', `Bearer ${TOKEN}-wrong`).expect(401);
    });

    it('accepts the token as a Bearer header or as the basic-auth password', async () => {
      expect((await get(`/api/trade-log/pnl?date=${DAY}`).set('Authorization', `Bearer ${TOKEN}`).expect(200)).body.total.realised).toBe(672);
      await get('/api/trade-log/days').auth('me', TOKEN).expect(200);
      await get('/api/trade-log/days').auth('me', 'nope').expect(401);
    });

    it('takes ?token= on the page only, never on the API', async () => {
      await get(`/trades?token=${TOKEN}`).expect(200);
      await get(`/api/trade-log/days?token=${TOKEN}`).expect(401);
      const page = await get('/trades').expect(401);
      expect(page.headers['www-authenticate']).toEqual(expect.stringContaining('Basic realm="legwork trade log"'));
      await get('/trades/assets/trade-log.js').expect(200); // code only, no data
    });
  });

  describe('HOST beyond loopback', () => {
    it('without a token: page and API answer 403 naming TRADE_LOG_TOKEN', async () => {
      const t = await engine({ HOST: '0.0.0.0' });
      try {
        const res = await request(t.app.getHttpServer()).get('/api/trade-log/chains').set('Authorization', `Bearer ${TOKEN}`).expect(403);
        expect(res.body.message).toBe(
          'the trade log is off: the engine listens on 0.0.0.0, beyond loopback, and TRADE_LOG_TOKEN is not set. Set TRADE_LOG_TOKEN (16+ characters) to review trades over the network',
        );
        await request(t.app.getHttpServer()).get('/trades').expect(403);
        await request(t.app.getHttpServer()).get('/health').expect(200); // the engine itself runs
      } finally {
        await t.close();
      }
    });

    it('with a token: the token is required', async () => {
      const t = await engine({ HOST: '0.0.0.0', TRADE_LOG_TOKEN: TOKEN });
      try {
        await request(t.app.getHttpServer()).get('/api/trade-log/chains').expect(401);
        await request(t.app.getHttpServer()).get('/api/trade-log/chains').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      } finally {
        await t.close();
      }
    });
  });

  it('validates TRADE_LOG_TOKEN at start', () => {
    expect(() => loadLegworkConfig({ TRADE_LOG_TOKEN: 'short' })).toThrow('TRADE_LOG_TOKEN must be at least 16 characters');
    expect(loadLegworkConfig({ TRADE_LOG_TOKEN: TOKEN }).tradeLog).toEqual({ token: TOKEN });
    expect(loadLegworkConfig({}).tradeLog).toEqual({ token: undefined });
  });
});
