import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Leg } from '../../src/broker/entities/leg.entity';
import { sqliteDataSourceOptions } from '../../src/database/data-source.options';
import { ENTITIES } from '../../src/entities';
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
    (r) =>
      r.method === 'POST' && r.path.startsWith('/orders/') && typeof r.body.tag === 'string' && r.body.tag.startsWith('lw') && (!tag || r.body.tag === tag),
  );
}

/** Orders in the simulator's book carrying this tag. */
export function omsOrdersTagged(sim: KiteSimulator, tag: string) {
  return sim.getOrders().filter((o) => o.tag === tag);
}

/**
 * Environment for an engine process that is killed (kill -9) and started again on one trade-log file: the killed
 * engine's claims run out after 1 s, an unclear leg is then unknown for a 1 s settle window, recovery runs every second.
 */
export function restartedEngineEnv(sim: KiteSimulator, dir: string, file: string, extra: Record<string, string> = {}): Record<string, string> {
  return engineEnv(sim, dir, {
    PAPER_SIMULATOR: 'false',
    LOG_FORMAT: 'json',
    DATABASE_PATH: join(dir, file),
    LEG_CLAIM_LEASE_MS: '1000',
    LEG_SETTLE_WINDOW_MS: '1000',
    LEG_RECOVERY_INTERVAL_SECONDS: '1',
    ...extra,
  });
}

/** The legs in a trade-log file, read from outside the engine (while another process has it open, or after it died). */
export async function legsInFile(path: string): Promise<Leg[]> {
  const ds = await new DataSource({ ...sqliteDataSourceOptions({ path, synchronous: 'NORMAL' }, ENTITIES), migrationsRun: false }).initialize();
  try {
    return await ds.getRepository(Leg).find({ order: { id: 'ASC' } });
  } finally {
    await ds.destroy();
  }
}
