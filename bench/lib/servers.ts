import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface RunningServer {
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Spawn a server process and wait until it is ready: the baselines print `listening <port>`; for legwork (given
 * its port) readiness is GET /health answering 200, whatever the log level.
 */
export async function spawnServer(name: string, command: string, args: string[], env: Record<string, string>, port?: number): Promise<RunningServer> {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    // Only a guard against a server that never starts: a loaded 2-core machine can take over a minute to boot one.
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 180_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening (\d+)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${listening[1]}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    if (port) {
      const poll = async () => {
        const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${port}`);
        } else if (child.exitCode === null) setTimeout(() => void poll(), 200);
      };
      void poll();
    }
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    url,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
