import { Logger } from '@nestjs/common';
import { errorText } from '../common/error-text';

/**
 * The last line of defence: anything that escapes every handler reaches the process. An unhandled rejection (a
 * background promise nobody awaited) is logged and counted, and the engine keeps running: its state is in the
 * database, and the loops that own it retry on their own. An uncaught exception leaves the process in a state
 * Node cannot vouch for, so it is logged and the engine exits with code 1 for its supervisor to restart it (see the
 * README, "Running it unattended"): every acknowledged postback is durable and is processed at the next start.
 */
export function installProcessErrorHandlers(count: (kind: 'rejection' | 'exception') => void): void {
  const logger = new Logger('Process');
  process.on('unhandledRejection', (reason) => {
    count('rejection');
    logger.error({ err: reason instanceof Error ? reason : undefined }, `unhandled rejection (engine keeps running): ${errorText(reason)}`);
  });
  process.on('uncaughtException', (error) => {
    count('exception');
    logger.error({ err: error }, `uncaught exception: ${errorText(error)}; exiting for the supervisor to restart the engine`);
    process.exitCode = 1;
    // Let the log line out, then go: nothing acknowledged is lost (the inbox is durable).
    setTimeout(() => process.exit(1), 100).unref();
  });
}
