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

/**
 * legwork_reconcile_runs_total for one trigger and result, read from /metrics as an operator would. prom-client's
 * registry is per process (per test file under Jest): start one engine per file when counting.
 */
export async function reconcileRuns(t: TestApp, trigger: string, result = 'ok'): Promise<number> {
  const text = (await request(t.app.getHttpServer()).get('/metrics').expect(200)).text;
  const line = text
    .split('\n')
    .find((l) => l.startsWith('legwork_reconcile_runs_total{') && l.includes(`trigger="${trigger}"`) && l.includes(`result="${result}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}
