import { Logger } from '@nestjs/common';
import type { LegworkConfig } from '../config/legwork.config';
import { KiteSimulator, simulatorOptionsFromEnv } from '../simulator';

/** Credentials the in-process simulator accepts; they guard nothing real. */
export const PAPER_API_KEY = 'paper';
export const PAPER_ACCESS_TOKEN = 'paper-access-token';

export interface PaperBroker {
  simulator: KiteSimulator;
  /** Environment overrides that point the engine's kiteconnect client at the simulator. */
  env: Record<string, string>;
  /** Tell the simulator where the engine receives postbacks, once the engine listens. */
  connect(postbackUrl: string): void;
  stop(): Promise<void>;
}

/**
 * Paper mode: start the Kite-compatible simulator in this process, signing postbacks with the engine's own
 * api_secret, so the real kiteconnect client, real HTTP and the real checksum guard are all exercised.
 * SIM_* variables tune it (port, seed, prices, partial fills, rejections; see src/simulator/simulator.options.ts).
 */
export async function startPaperBroker(config: LegworkConfig, env: NodeJS.ProcessEnv): Promise<PaperBroker> {
  const logger = new Logger('KiteSimulator');
  const simulator = new KiteSimulator({
    autoTickMs: 1000,
    partialFillSteps: 2,
    ...simulatorOptionsFromEnv(env),
    apiKey: PAPER_API_KEY,
    accessToken: PAPER_ACCESS_TOKEN,
    apiSecret: config.kite.apiSecret,
    log: (message) => logger.log(message),
  });
  await simulator.start();
  return {
    simulator,
    env: {
      LEGWORK_MODE: 'paper',
      KITE_ROOT_URL: simulator.url,
      KITE_WS_URL: simulator.wsUrl,
      KITE_LOGIN_URL: `${simulator.url}/connect/login`,
      KITE_API_KEY: PAPER_API_KEY,
      KITE_ACCESS_TOKEN: PAPER_ACCESS_TOKEN,
    },
    connect: (postbackUrl) => simulator.setPostbackUrl(postbackUrl),
    stop: () => simulator.stop(),
  };
}
