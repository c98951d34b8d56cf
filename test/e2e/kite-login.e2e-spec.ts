import { join } from 'node:path';
import request from 'supertest';
import { KiteSession } from '../../src/kite-session/kite-session.entity';
import { KiteSessionService } from '../../src/kite-session/kite-session.service';
import { KiteSimulator } from '../../src/simulator';
import { SAMPLE_API_SECRET } from '../helpers/postbacks';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';

describe('daily login flow against the simulator', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  beforeAll(async () => {
    sim = await new KiteSimulator({ apiKey: 'key1', apiSecret: SAMPLE_API_SECRET, log: () => undefined }).start();
  });
  afterAll(async () => {
    await sim.stop();
    tmp.cleanup();
  });

  /** Every engine a test starts is closed after it, even when an expectation failed halfway. */
  const started: TestApp[] = [];
  const start = async (environment: Record<string, string>, listen = true): Promise<TestApp> => {
    const t = await createTestApp(environment, { listen });
    started.push(t);
    return t;
  };
  afterEach(async () => {
    for (const t of started.splice(0)) await t.close().catch(() => undefined);
  });

  const env = () =>
    testEnv(tmp.dir, {
      DATABASE_PATH: join(tmp.dir, 'login.sqlite'),
      KITE_API_KEY: 'key1',
      KITE_ROOT_URL: sim.url,
      KITE_LOGIN_URL: `${sim.url}/connect/login`,
    });

  it('redirects to the login page, exchanges the request_token, stores the token and survives a restart', async () => {
    const t = await start(env());
    const sessions = t.app.get(KiteSessionService);
    expect(sessions.status().state).toBe('missing');
    const server = t.app.getHttpServer();

    const login = await request(server).get('/kite/login');
    expect(login.status).toBe(302);
    const kiteLogin = new URL(login.headers.location);
    expect(kiteLogin.searchParams.get('api_key')).toBe('key1');
    expect(kiteLogin.searchParams.get('v')).toBe('3');
    // The state travels through Kite's login in redirect_params, which Kite echoes back to the redirect URL.
    const state = new URLSearchParams(kiteLogin.searchParams.get('redirect_params') ?? '').get('state');
    expect(state).toMatch(/\S{32,}/);

    // The "user" logs in on the simulator's login page, which sends the browser back with a request_token.
    const back = await fetch(kiteLogin, { redirect: 'manual' });
    expect(back.status).toBe(302);
    const callback = new URL(back.headers.get('location')!);
    expect(callback.pathname).toBe('/kite/login/callback');
    expect(callback.searchParams.get('state')).toBe(state);
    const done = await request(server).get(`${callback.pathname}${callback.search}`);
    expect(done.status).toBe(200);
    expect(done.text).toMatch(/Logged in to Kite as <b>AB1234<\/b>/);

    expect(sessions.status().state).toBe('valid');
    const token = sessions.accessToken!;
    expect(sim.options.accessToken).not.toBe(token); // a fresh token was issued
    const stored = await t.dataSource.getRepository(KiteSession).find();
    expect(stored.map((s) => s.accessToken)).toEqual([token]);
    await t.close();

    const again = await start(env(), false);
    expect(again.app.get(KiteSessionService).accessToken).toBe(token);
    await again.close();
  });

  it('refuses a forged request_token with 502 and a clear message', async () => {
    const t = await start(env());
    const state = await issuedState(t);
    const res = await request(t.app.getHttpServer()).get(`/kite/login/callback?request_token=forged&status=success&state=${encodeURIComponent(state)}`);
    expect(res.status).toBe(502);
    expect(res.body.message).toMatch(/Kite refused the login/);
    expect((await request(t.app.getHttpServer()).get('/kite/login/callback')).status).toBe(400);
    await t.close();
  });

  /** The state the engine put into Kite's login URL (GET /kite/login). */
  async function issuedState(t: TestApp): Promise<string> {
    const login = await request(t.app.getHttpServer()).get('/kite/login').expect(302);
    return new URLSearchParams(new URL(login.headers.location).searchParams.get('redirect_params') ?? '').get('state')!;
  }

  const callback = (t: TestApp, query: Record<string, string>) =>
    request(t.app.getHttpServer()).get(`/kite/login/callback?${new URLSearchParams({ status: 'success', ...query })}`);

  describe('the callback accepts only a login it asked for, by the expected Kite user', () => {
    const dbFile = () => join(tmp.dir, `guarded-${expect.getState().currentTestName?.replace(/\W+/g, '-')}.sqlite`);
    let t: TestApp;

    it('without the state it issued (CSRF), or with a forged or tampered one: 403, and Kite is not even asked', async () => {
      t = await start({ ...env(), DATABASE_PATH: dbFile() });
      const state = await issuedState(t);
      const tampered = `${state.slice(0, -1)}${state.endsWith('0') ? '1' : '0'}`;
      sim.clearRequests();
      for (const query of [{}, { state: 'made-up' }, { state: tampered }] as Array<Record<string, string>>) {
        const res = await callback(t, { request_token: sim.issueRequestToken(), ...query });
        expect(res.status).toBe(403);
        expect(res.body.message).toMatch(/state/);
      }
      expect(sim.requests.filter((r) => r.path === '/session/token')).toEqual([]);
      expect(t.app.get(KiteSessionService).status().state).toBe('missing');
    });

    it('a state from another engine (another api_secret) is refused', async () => {
      const other = await start({ ...env(), DATABASE_PATH: join(tmp.dir, 'other.sqlite'), KITE_API_SECRET: 'another-secret-0123' });
      const foreign = await issuedState(other);
      t = await start({ ...env(), DATABASE_PATH: dbFile() });
      expect((await callback(t, { request_token: sim.issueRequestToken(), state: foreign })).status).toBe(403);
    });

    it("another account's login never replaces the session: the first user that logged in is the expected one", async () => {
      t = await start({ ...env(), DATABASE_PATH: dbFile() });
      const sessions = t.app.get(KiteSessionService);
      await callback(t, { request_token: sim.issueRequestToken('AB1234'), state: await issuedState(t) }).expect(200);
      const token = sessions.accessToken;

      sim.clearRequests();
      const res = await callback(t, { request_token: sim.issueRequestToken('ZZ9999'), state: await issuedState(t) });
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/ZZ9999/);
      expect(res.body.message).toMatch(/AB1234/);
      expect(sessions.accessToken).toBe(token);
      expect(sessions.status().state).toBe('valid');
      expect((await t.dataSource.getRepository(KiteSession).find()).map((s) => s.userId)).toEqual(['AB1234']);
      // The other account's fresh session is logged out again, not left lying around.
      expect(sim.requests.filter((r) => r.method === 'DELETE' && r.path === '/session/token')).toHaveLength(1);

      // The same user logging in again the next morning is welcome.
      await callback(t, { request_token: sim.issueRequestToken('AB1234'), state: await issuedState(t) }).expect(200);
      expect(sessions.accessToken).not.toBe(token);
      // And a restart remembers who the expected user is (the trade log, not memory).
      await t.close();
      t = await start({ ...env(), DATABASE_PATH: dbFile() });
      expect((await callback(t, { request_token: sim.issueRequestToken('ZZ9999'), state: await issuedState(t) })).status).toBe(403);
    });

    it('KITE_USER_ID names the expected user, even before the first login', async () => {
      t = await start({ ...env(), DATABASE_PATH: dbFile(), KITE_USER_ID: 'ZZ9999' });
      expect((await callback(t, { request_token: sim.issueRequestToken('AB1234'), state: await issuedState(t) })).status).toBe(403);
      expect(t.app.get(KiteSessionService).status().state).toBe('missing');
      await callback(t, { request_token: sim.issueRequestToken('ZZ9999'), state: await issuedState(t) }).expect(200);
      expect(t.app.get(KiteSessionService).status().state).toBe('valid');
    });
  });
});
