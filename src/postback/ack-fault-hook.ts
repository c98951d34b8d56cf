import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ServerResponse } from 'node:http';

/** The variable that turns the hook on. Test-only; never set it in production. */
export const KILL_AFTER_ACK_ENV = 'LEGWORK_TEST_KILL_AFTER_ACK';

/**
 * TEST ONLY — a fault hook for crash tests. With LEGWORK_TEST_KILL_AFTER_ACK=N the engine kills itself with
 * SIGKILL right after its Nth `200` to a postback has been handed to the socket: no later line of the engine runs,
 * so a kill -9 test lands in the window between the answer and whatever would follow it, every time. A postback
 * answered before its inbox commit (and fdatasync) is then lost, and the test says so. Inert by default: unset,
 * nothing is installed. Read from the process environment by main.ts only (never from .env or the config).
 */
export function installAckFaultHook(app: NestExpressApplication, postbackPath: string, env: NodeJS.ProcessEnv): void {
  const raw = env[KILL_AFTER_ACK_ENV];
  if (raw === undefined || raw === '') return;
  const after = Number(raw);
  if (!Number.isInteger(after) || after < 1) throw new Error(`${KILL_AFTER_ACK_ENV} must be a whole number ≥ 1 (test-only fault hook)`);
  new Logger('Bootstrap').warn(`TEST FAULT HOOK ON: the engine kills itself (SIGKILL) right after answering postback number ${after}`);
  let acked = 0;
  app.use(postbackPath, (_req: unknown, res: ServerResponse, next: () => void) => {
    const end = res.end.bind(res) as (...args: Parameters<ServerResponse['end']>) => ServerResponse;
    res.end = function (...args: Parameters<ServerResponse['end']>) {
      const result = end(...args);
      // end() has written the answer to the socket (Node uncorks it synchronously): the sender gets it, then nothing.
      if (res.statusCode === 200 && ++acked >= after) process.kill(process.pid, 'SIGKILL');
      return result;
    } as ServerResponse['end'];
    next();
  });
}
