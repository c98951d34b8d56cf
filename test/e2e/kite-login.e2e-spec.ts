import { join } from 'node:path';
import request from 'supertest';
import { KiteSession } from '../../src/kite-session/kite-session.entity';
import { KiteSessionService } from '../../src/kite-session/kite-session.service';
import { KiteSimulator } from '../../src/simulator';
import { SAMPLE_API_SECRET } from '../helpers/postbacks';
import { createTestApp, tempDir, testEnv } from '../helpers/test-app';

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

  const env = () =>
    testEnv(tmp.dir, {
      DATABASE_PATH: join(tmp.dir, 'login.sqlite'),
      KITE_API_KEY: 'key1',
      KITE_ROOT_URL: sim.url,
      KITE_LOGIN_URL: `${sim.url}/connect/login`,
    });

  it('redirects to the login page, exchanges the request_token, stores the token and survives a restart', async () => {
    const t = await createTestApp(env(), { listen: true });
    const sessions = t.app.get(KiteSessionService);
    expect(sessions.status().state).toBe('missing');
    const server = t.app.getHttpServer();

    const login = await request(server).get('/kite/login');
    expect(login.status).toBe(302);
    const kiteLogin = new URL(login.headers.location);
    expect(kiteLogin.searchParams.get('api_key')).toBe('key1');
    expect(kiteLogin.searchParams.get('v')).toBe('3');

    // The "user" logs in on the simulator's login page, which sends the browser back with a request_token.
    const back = await fetch(kiteLogin, { redirect: 'manual' });
    expect(back.status).toBe(302);
    const callback = new URL(back.headers.get('location')!);
    expect(callback.pathname).toBe('/kite/login/callback');
    const done = await request(server).get(`${callback.pathname}${callback.search}`);
    expect(done.status).toBe(200);
    expect(done.text).toMatch(/Logged in to Kite as <b>AB1234<\/b>/);

    expect(sessions.status().state).toBe('valid');
    const token = sessions.accessToken!;
    expect(sim.options.accessToken).not.toBe(token); // a fresh token was issued
    const stored = await t.dataSource.getRepository(KiteSession).find();
    expect(stored.map((s) => s.accessToken)).toEqual([token]);
    await t.close();

    const again = await createTestApp(env());
    expect(again.app.get(KiteSessionService).accessToken).toBe(token);
    await again.close();
  });

  it('refuses a forged request_token with 502 and a clear message', async () => {
    const t = await createTestApp(env(), { listen: true });
    const res = await request(t.app.getHttpServer()).get('/kite/login/callback?request_token=forged&status=success');
    expect(res.status).toBe(502);
    expect(res.body.message).toMatch(/Kite refused the login/);
    expect((await request(t.app.getHttpServer()).get('/kite/login/callback')).status).toBe(400);
    await t.close();
  });
});
