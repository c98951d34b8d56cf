import request from 'supertest';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { signedPostback } from '../helpers/postbacks';
import { tempDir, TestApp } from '../helpers/test-app';

describe('readiness follows Kite: simulator up, token valid', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let t: TestApp;
  beforeAll(async () => {
    sim = await startSimulator();
    t = await startEngine(sim, engineEnv(sim, tmp.dir));
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    tmp.cleanup();
  });
  const ready = () => request(t.app.getHttpServer()).get('/health/ready');

  it('is ready while the simulator answers with a valid token', async () => {
    const res = await ready();
    expect(res.status).toBe(200);
    expect(res.body.info.kite).toMatchObject({ status: 'up', token: 'valid', reachable: true });
  });

  it('is not ready while the simulator is down, stays alive and keeps storing postbacks, and recovers', async () => {
    await sim.stop();
    try {
      const res = await ready();
      expect(res.status).toBe(503);
      expect(res.body.error.kite).toMatchObject({ status: 'down', reachable: false });
      expect((await request(t.app.getHttpServer()).get('/health')).status).toBe(200);
      const ack = await request(t.app.getHttpServer())
        .post('/kite/postback')
        .type('form')
        .send(JSON.stringify(signedPostback({ order_id: '880001' })));
      expect(ack.status).toBe(200);
    } finally {
      await sim.start();
    }
    expect((await ready()).status).toBe(200);
  });

  it('says a login is needed once Kite answers TokenException', async () => {
    sim.revokeAccessTokens(sim.options.accessToken);
    try {
      // Any call that meets the expired token flips the session (kiteconnect's session-expiry hook).
      const first = await ready();
      expect(first.status).toBe(503);
      const res = await ready();
      expect(res.body.error.kite).toMatchObject({ status: 'down', token: 'expired' });
      expect(res.body.error.kite.error).toMatch(/log in at \/kite\/login/);
    } finally {
      sim.grantAccessToken(sim.options.accessToken);
    }
  });
});
