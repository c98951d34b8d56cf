import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';

/**
 * DNS rebinding: a web page on evil.example re-points its name at 127.0.0.1 and the browser then talks to the
 * engine's loopback-open endpoints as "evil.example". The browser cannot fake the Host header, so an endpoint open
 * on loopback (no token configured) must only answer requests that name this machine.
 */
describe('endpoints open on loopback check the Host header', () => {
  const tmp = tempDir();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(testEnv(tmp.dir, { RECONCILE_ON_BOOT: 'false' }), { listen: true });
  });
  afterAll(async () => {
    await t.close();
    tmp.cleanup();
  });
  const port = () => (t.app.getHttpServer().address() as AddressInfo).port;

  it.each([
    ['GET', '/rails'],
    ['POST', '/rails/kill-switch'],
    ['GET', '/api/trade-log/days'],
    ['GET', '/trades'],
    ['POST', '/reconcile'],
  ])('%s %s with Host: evil.example is refused (403) and changes nothing', async (method, path) => {
    const server = t.app.getHttpServer();
    const call = method === 'GET' ? request(server).get(path) : request(server).post(path).send({ reason: 'rebinding' });
    const res = await call.set('Host', `evil.example:${port()}`);
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/Host/);
    expect((await request(server).get('/rails').set('Host', `localhost:${port()}`).expect(200)).body.killSwitch).toMatchObject({ tripped: false });
  });

  it('the same endpoints answer requests naming this machine (localhost, 127.0.0.1, [::1])', async () => {
    const server = t.app.getHttpServer();
    for (const host of [`localhost:${port()}`, `127.0.0.1:${port()}`, `[::1]:${port()}`]) {
      await request(server).get('/rails').set('Host', host).expect(200);
      await request(server).get('/api/trade-log/days').set('Host', host).expect(200);
    }
  });
});
