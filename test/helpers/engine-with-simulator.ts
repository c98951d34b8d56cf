import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { KiteSimulator } from '../../src/simulator';
import type { SimulatorOptions } from '../../src/simulator/simulator.options';
import { SAMPLE_API_SECRET } from './postbacks';
import { createTestApp, testEnv, TestApp } from './test-app';

/** A seeded Kite simulator on loopback, signing postbacks with the test secret, quiet. */
export function startSimulator(options: Partial<SimulatorOptions> = {}): Promise<KiteSimulator> {
  return new KiteSimulator({ apiSecret: SAMPLE_API_SECRET, seed: 7, startPrices: { SBIN: 470 }, maxQuantity: 1000, log: () => undefined, ...options }).start();
}

/** Environment for an engine whose kiteconnect client talks to `sim`. */
export function engineEnv(sim: KiteSimulator, dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return testEnv(dir, {
    DATABASE_PATH: join(dir, 'legwork.sqlite'),
    KITE_ROOT_URL: sim.url,
    KITE_API_KEY: sim.options.apiKey,
    KITE_ACCESS_TOKEN: sim.options.accessToken,
    LEG_RETRY_DELAY_MS: '20',
    ...extra,
  });
}

/** The whole engine on a real port, with the simulator's postbacks pointed at it. */
export async function startEngine(
  sim: KiteSimulator,
  env: Record<string, string>,
  providers: Provider[] = [],
  override?: NonNullable<Parameters<typeof createTestApp>[1]>['override'],
): Promise<TestApp> {
  const t = await createTestApp(env, { listen: true, providers, override });
  sim.setPostbackUrl(`${(await t.app.getUrl()).replace('[::1]', '127.0.0.1')}/kite/postback`);
  return t;
}

/** Placement requests the simulator received for legwork legs (tag lw…), in arrival order. */
export function legPlacements(sim: KiteSimulator, tag?: string) {
  return sim.requests.filter(
    (r) => r.method === 'POST' && r.path.startsWith('/orders/') && typeof r.body.tag === 'string' && r.body.tag.startsWith('lw') && (!tag || r.body.tag === tag),
  );
}

/** Orders in the simulator's book carrying this tag. */
export function omsOrdersTagged(sim: KiteSimulator, tag: string) {
  return sim.getOrders().filter((o) => o.tag === tag);
}
