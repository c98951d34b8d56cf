import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** A free loopback port (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface EngineProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** SIGKILL: no shutdown hooks, no flush — what a crash or OOM kill does. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** The real engine (src/main.ts) in its own process, as `npm start` runs it, on a given environment. */
export async function startEngineProcess(env: Record<string, string>): Promise<EngineProcess> {
  const port = await freePort();
  let log = '';
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (log += chunk));
  child.stderr!.on('data', (chunk) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 60_000;
  while (!/legwork is up/.test(log)) {
    if (child.exitCode !== null) throw new Error(`engine exited early (${child.exitCode}):\n${log}`);
    if (Date.now() > deadline) throw new Error(`engine did not start in time:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output: () => log,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
