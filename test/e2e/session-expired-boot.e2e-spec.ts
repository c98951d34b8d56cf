import { join } from 'node:path';
import { KiteSessionService } from '../../src/kite-session/kite-session.service';
import { ReconcileService } from '../../src/reconcile/reconcile.service';
import { KiteSimulator } from '../../src/simulator';
import { startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { loginThroughEngine, reconcileRuns } from '../helpers/kite-login';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';

/** The companion of session-follow.e2e-spec.ts: an engine started with yesterday's token, which Kite refuses. */
describe("started with yesterday's token (Kite refuses it), no order stream", () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await t?.close();
    await sim.stop();
    tmp.cleanup();
  });

  it('the failed boot reconcile ends the session and pauses the timer; the login reconciles and starts the timer', async () => {
    // 'yesterdays-token' is one the simulator does not (or no longer) accept: Kite answers TokenException.
    t = await createTestApp(
      testEnv(tmp.dir, {
        DATABASE_PATH: join(tmp.dir, 'expired.sqlite'),
        KITE_API_KEY: sim.options.apiKey,
        KITE_ROOT_URL: sim.url,
        KITE_LOGIN_URL: `${sim.url}/connect/login`,
        KITE_ACCESS_TOKEN: 'yesterdays-token',
        RECONCILE_INTERVAL_SECONDS: '1',
        RECONCILE_HOURS: 'always',
      }),
      { listen: true },
    );
    await eventually(() => t.app.get(KiteSessionService).status().state === 'expired', 'the TokenException at boot to end the session');
    expect(await reconcileRuns(t, 'boot', 'failed')).toBe(1);
    await eventually(() => !t.app.get(ReconcileService).timerActive, 'the timer to pause');

    await loginThroughEngine(t).then((res) => expect(res.status).toBe(200));
    await eventually(async () => (await reconcileRuns(t, 'login')) >= 1, 'a reconciliation at the login');
    expect(t.app.get(ReconcileService).timerActive).toBe(true);
    await eventually(async () => (await reconcileRuns(t, 'timer')) >= 1, 'the timer to tick', 10_000);
  }, 30_000);
});
