import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { KiteSimulator } from '../../src/simulator';
import type { SimulatorOptions } from '../../src/simulator/simulator.options';
import { SAMPLE_API_SECRET } from './postbacks';
import { createTestApp, tempDir, testEnv, TestApp } from './test-app';

/** A seeded Kite simulator on loopback, signing postbacks with the test secret, quiet. */
export function startSimulator(options: Partial<SimulatorOptions> = {}): Promise<KiteSimulator> {
  return new KiteSimulator({ apiSecret: SAMPLE_API_SECRET, seed: 7, startPrices: { SBIN: 470 }, maxQuantity: 1000, log: () => undefined, ...options }).start();
}

/**
 * For a describe block: a temp directory, and a simulator started before its tests and stopped (and the directory
 * removed) after them. Read `suite.sim` inside the tests.
 */
export function simulatorForSuite(options: Partial<SimulatorOptions> = {}): { dir: string; sim: KiteSimulator } {
  const tmp = tempDir();
  const suite = { dir: tmp.dir, sim: undefined as unknown as KiteSimulator };
  beforeAll(async () => {
    suite.sim = await startSimulator(options);
  });
  afterAll(async () => {
    await suite.sim?.stop();
    tmp.cleanup();
  });
  return suite;
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
  // Postbacks point at the engine as soon as it listens: what its boot places (recovered legs, unwinds) posts back to it.
  return createTestApp(env, { listen: true, providers, override, listening: (url) => sim.setPostbackUrl(`${url}/kite/postback`) });
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
