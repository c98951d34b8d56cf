/**
 * Standalone Kite simulator for paper mode: `npx ts-node src/simulator/main.ts` (or node dist/src/simulator/main.js).
 * Configured by SIM_* variables, see simulatorOptionsFromEnv; the price walk ticks every second unless SIM_AUTO_TICK_MS says otherwise.
 */
import { KiteSimulator } from './kite-simulator';
import { simulatorOptionsFromEnv } from './simulator.options';

async function main(): Promise<void> {
  const log = (message: string): void => console.log(`${new Date().toISOString()} [kite-sim] ${message}`);
  const sim = new KiteSimulator({ port: 8765, autoTickMs: 1000, log, ...simulatorOptionsFromEnv(process.env) });
  await sim.start();
  const { apiKey, accessToken, seed } = sim.options;
  log(`root=${sim.url} api_key=${apiKey} access_token=${accessToken} seed=${seed}`);
  log(`postbacks → ${sim.options.postbackUrl ?? '(none; set SIM_POSTBACK_URL)'}`);
  log(`login: ${sim.loginUrl()}`);

  const shutdown = (signal: string): void => {
    log(`${signal}: stopping`);
    sim.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
