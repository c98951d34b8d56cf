import { join } from 'node:path';
import { KiteSessionService } from '../../src/kite-session/kite-session.service';
import { Order } from '../../src/orders/entities/order.entity';
import { KiteOrderStream } from '../../src/order-stream/kite-order-stream.service';
import { ReconcileService } from '../../src/reconcile/reconcile.service';
import { KiteSimulator } from '../../src/simulator';
import { startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { loginThroughEngine, reconcileRuns } from '../helpers/kite-login';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

/**
 * An engine started before the day's login (no token yet, or yesterday's, which Kite expired at 06:00 IST) must not
 * stay blind all day: reconciliation, its timer and the order stream start when a valid session appears, and pause
 * when it ends. One engine per file: KiteTicker keeps its state module-global, and so does prom-client's registry
 * (counts would add up across engines). The engine started with yesterday's token is in session-expired-boot.e2e-spec.ts.
 */
describe('reconciliation and the order stream follow the Kite session, not the boot', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim.stop();
    tmp.cleanup();
  });

  const env = (file: string, extra: Record<string, string> = {}) =>
    testEnv(tmp.dir, {
      DATABASE_PATH: join(tmp.dir, file),
      KITE_API_KEY: sim.options.apiKey,
      KITE_ROOT_URL: sim.url,
      KITE_LOGIN_URL: `${sim.url}/connect/login`,
      RECONCILE_INTERVAL_SECONDS: '1',
      RECONCILE_HOURS: 'always', // the timer must tick whatever the time of day the suite runs
      ...extra,
    });

  describe('started with no token, order stream on', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(env('absent.sqlite', { KITE_WS_ORDER_UPDATES: 'true', KITE_WS_URL: sim.wsUrl }), { listen: true });
      sim.setPostbackUrl(`${(await t.app.getUrl()).replace('[::1]', '127.0.0.1')}/kite/postback`);
    });
    afterAll(() => t.close());

    it('waits for the login, then reconciles at once, starts the timer, and the first stream connection reconciles too', async () => {
      expect(t.app.get(KiteSessionService).status().state).toBe('missing');
      expect(t.app.get(ReconcileService).timerActive).toBe(false);
      expect(t.app.get(KiteOrderStream).connected).toBe(false);

      // Before the login an order is placed (say, from Kite's web) and its postbacks never reach this engine.
      sim.setPostbackFaults({ dropAll: true });
      const { order_id: early } = await place(kiteFor(sim), sbinBuy({ order_type: 'MARKET', price: 0, quantity: 2 }));

      await loginThroughEngine(t).then((res) => expect(res.status).toBe(200));

      // The login reconciles: the order placed without a session is in the store.
      await eventually(async () => {
        await t.settle();
        return (await t.dataSource.getRepository(Order).findOneBy({ orderId: early }))?.status === 'COMPLETE';
      }, 'the order placed before the login, recovered by reconcile');
      expect(await reconcileRuns(t, 'login')).toBeGreaterThanOrEqual(1);

      // The timer ticks (every second here) ...
      expect(t.app.get(ReconcileService).timerActive).toBe(true);
      await eventually(async () => (await reconcileRuns(t, 'timer')) >= 2, 'two timer reconciliations', 10_000);

      // ... and the stream, started by the login, reconciled on its first connection.
      await eventually(() => t.app.get(KiteOrderStream).connected, 'the order stream to connect', 10_000);
      await eventually(async () => (await reconcileRuns(t, 'stream-reconnect')) >= 1, 'a reconciliation for the first stream connection');
      sim.setPostbackFaults({ dropAll: false });
    }, 30_000);

    it('pauses the timer and the stream when the session ends, and resumes both at the next login', async () => {
      const reconcile = t.app.get(ReconcileService);
      const stream = t.app.get(KiteOrderStream);
      sim.revokeAccessTokens(); // 06:00 IST: every token stops working
      // The next timer tick meets a TokenException: the session ends, the timer stops, the stream waits for a login.
      await eventually(() => t.app.get(KiteSessionService).status().state === 'expired', 'the session to end', 10_000);
      expect(reconcile.timerActive).toBe(false);
      expect(stream.pausedForLogin).toBe(true);
      const failedTimerRuns = await reconcileRuns(t, 'timer', 'failed');

      const logins = await reconcileRuns(t, 'login');
      await loginThroughEngine(t).then((res) => expect(res.status).toBe(200));
      await eventually(async () => (await reconcileRuns(t, 'login')) > logins, 'a reconciliation for the new login');
      expect(reconcile.timerActive).toBe(true);
      expect(stream.pausedForLogin).toBe(false);
      const timerRuns = await reconcileRuns(t, 'timer');
      await eventually(async () => (await reconcileRuns(t, 'timer')) > timerRuns, 'the timer to tick again', 10_000);
      // A paused timer spent no calls: at most the one tick that found the session gone failed.
      expect(await reconcileRuns(t, 'timer', 'failed')).toBe(failedTimerRuns);
    }, 30_000);
  });
});
