import request from 'supertest';
import type { TestApp } from './test-app';

/**
 * The daily login as a browser does it: GET /kite/login (which issues the state), the simulator's login page (the
 * engine's KITE_LOGIN_URL must point at it), then the engine's callback with the request_token and the state Kite
 * echoed back. Resolves with the callback's answer.
 */
export async function loginThroughEngine(t: TestApp): Promise<request.Response> {
  const server = t.app.getHttpServer();
  const login = await request(server).get('/kite/login').expect(302);
  const back = await fetch(login.headers.location, { redirect: 'manual' });
  if (back.status !== 302) throw new Error(`the simulator's login page answered ${back.status}: ${await back.text()}`);
  const callback = new URL(back.headers.get('location')!);
  return request(server).get(`${callback.pathname}${callback.search}`);
}
