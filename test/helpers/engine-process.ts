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

/** src/main.ts as `npm start` runs it, on a given environment and port; stdout and stderr collected together. */
function spawnEngine(env: Record<string, string>, port: number) {
  let log = '';
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    // NODE_PATH passed on: a checkout may find some packages outside its node_modules (a worktree's extra install).
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...(process.env.NODE_PATH ? { NODE_PATH: process.env.NODE_PATH } : {}),
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  // 'close', not 'exit': the last lines may still be in the pipes when the process exits.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { child, exited, output: () => log };
}

/** The engine started on an environment it should refuse: waits for it to exit on its own; its exit code and output. */
export async function engineExitOn(env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; output: string }> {
  const { child, exited, output } = spawnEngine(env, await freePort());
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
  return { code: child.exitCode, output: output() };
}

/** The real engine (src/main.ts) in its own process, as `npm start` runs it, on a given environment. */
export async function startEngineProcess(env: Record<string, string>): Promise<EngineProcess> {
  const port = await freePort();
  const { child, exited, output } = spawnEngine(env, port);

  const deadline = Date.now() + 60_000;
  while (!/legwork is up/.test(output())) {
    if (child.exitCode !== null) throw new Error(`engine exited early (${child.exitCode}):\n${output()}`);
    if (Date.now() > deadline) throw new Error(`engine did not start in time:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output,
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
