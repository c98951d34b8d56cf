import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { KiteSimulator } from '../../src/simulator';
import { engineEnv, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { freePort } from '../helpers/engine-process';
import { tempDir, TestApp } from '../helpers/test-app';

const ROOT = join(__dirname, '..', '..');

/**
 * The npm run tools read `.env` from the working directory exactly as the engine does. Here the engine's port and
 * database file are ONLY in `.env` (the tools run as child processes with a bare environment): a tool that ignored
 * it would look for an engine on port 3000 and fall back to a new ./data/legwork.sqlite, tripping a switch the
 * running engine never sees.
 */
/** Runs src/cli/<cli> as `npm run` does, in `cwd`, with a bare environment: whatever it knows comes from `cwd`/.env. */
function runCli(cwd: string, cli: string, args: string[]) {
  return promisify(execFile)(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), join(ROOT, 'src', 'cli', cli), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('every CLI reads .env like the engine', () => {
  describe('with the engine running', () => {
    const tmp = tempDir('legwork-cli-env-');
    let sim: KiteSimulator;
    let engine: TestApp;

    beforeAll(async () => {
      sim = await startSimulator();
      engine = await startEngine(sim, engineEnv(sim, tmp.dir, { DATABASE_PATH: join(tmp.dir, 'trade-log', 'engine.sqlite'), RECONCILE_ON_BOOT: 'false' }));
      // What a trader keeps in .env next to the engine: a relative database path, resolved against this directory.
      writeFileSync(
        join(tmp.dir, '.env'),
        [
          `PORT=${new URL(await engine.app.getUrl()).port}`,
          'DATABASE_PATH=./trade-log/engine.sqlite',
          'LEGWORK_MODE=paper',
          `KITE_API_KEY=${sim.options.apiKey}`,
          `KITE_ACCESS_TOKEN=${sim.options.accessToken}`,
          `KITE_ROOT_URL=${sim.url}`,
          '',
        ].join('\n'),
      );
    });
    afterAll(async () => {
      await engine.close();
      await sim.stop();
      tmp.cleanup();
    });

    it('npm run killswitch finds the running engine on the PORT from .env', async () => {
      const status = await runCli(tmp.dir, 'killswitch.cli.ts', ['status']);
      expect(status).toMatchObject({ code: 0, stderr: '' });
      expect(status.stdout).toMatch(/^kill switch: armed/);
      expect(status.stdout).toMatch(/^orders: /m); // only the engine reports usage
    });

    it('npm run reconcile asks the engine on the PORT from .env', async () => {
      const result = await runCli(tmp.dir, 'reconcile.cli.ts', []);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^Kite's book: 0 order\(s\)/);
    });

    it('npm run trades reads the DATABASE_PATH from .env', async () => {
      expect(await runCli(tmp.dir, 'trades.cli.ts', ['orders'])).toEqual({ code: 0, stdout: 'no orders match\n', stderr: '' });
    });
  });

  describe('with no engine running', () => {
    const tmp = tempDir('legwork-cli-env-');
    afterAll(() => tmp.cleanup());

    it('npm run killswitch trips the switch in the DATABASE_PATH from .env, not in a new ./data/legwork.sqlite', async () => {
      writeFileSync(join(tmp.dir, '.env'), `PORT=${await freePort()}\nDATABASE_PATH=./trade-log/engine.sqlite\n`);
      const trip = await runCli(tmp.dir, 'killswitch.cli.ts', ['trip', 'stop from the shell']);
      expect(trip).toMatchObject({ code: 0, stderr: '' });
      const db = join(tmp.dir, 'trade-log', 'engine.sqlite');
      expect(trip.stdout).toContain(`kill switch TRIPPED in ${db} (engine not running)`);
      expect(existsSync(join(tmp.dir, 'data'))).toBe(false);
      const file = new Database(db, { readonly: true });
      try {
        expect(file.prepare(`SELECT "tripped", "reason", "changedBy" FROM "kill_switch" WHERE "id" = 'global'`).get()).toEqual({
          tripped: 1,
          reason: 'stop from the shell',
          changedBy: 'cli',
        });
      } finally {
        file.close();
      }
    });
  });
});
