import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The environment every legwork process reads: the process environment plus a `.env` file in the working directory,
 * loaded with Node's own parser (process.loadEnvFile). A variable already set in the environment wins over the file,
 * as with `node --env-file`. One loader for the engine (src/main.ts), every `npm run` tool (src/cli/*.cli.ts) and the
 * TypeORM CLI (ormconfig.ts), so they all find the same port and the same database file.
 */
export function loadEnvironment(cwd = process.cwd()): NodeJS.ProcessEnv {
  const file = resolve(cwd, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
  return process.env;
}
