import { ConfigValidationError, LegworkConfig, loadLegworkConfig } from '../config/legwork.config';
import { isLoopbackHost } from '../common/loopback';
import { loadEnvironment } from '../config/environment-file';

/**
 * The engine's configuration as an `npm run` tool sees it: the same `.env`, the same validation, the same defaults
 * (relative paths resolved against the working directory). A tool started next to the engine therefore talks to the
 * engine's port and opens the engine's database file. Invalid settings stop the tool with the engine's message.
 */
export function cliConfig(tool: string): LegworkConfig {
  try {
    return loadLegworkConfig(loadEnvironment());
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      console.error(`${tool}: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

/** Where a tool on this machine reaches the engine: loopback when it listens on every interface or on loopback. */
export function engineUrl(http: LegworkConfig['http']): string {
  const host = http.host.trim();
  const reachable = !host || host === '0.0.0.0' || host === '::' || isLoopbackHost(host) ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${http.port}`;
}
