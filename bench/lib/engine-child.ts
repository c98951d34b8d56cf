import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { KiteSimulator } from '../../src/simulator';

export const ROOT = join(__dirname, '..', '..');

/** One parsed pino JSON line of the engine's output. */
export interface EngineLogLine {
  time: number;
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface EngineChild {
  child: ChildProcess;
  url: string;
  port: number;
  /** Wall-clock ms (Date.now) just before the process was spawned. */
  spawnedAt: number;
  /** JSON log lines seen so far (non-JSON output is kept in rawOutput). */
  lines: EngineLogLine[];
  rawOutput(): string;
  /** Resolves with the first log line whose msg matches, or rejects after timeoutMs / if the process exits. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<EngineLogLine>;
  /** SIGKILL: no shutdown hooks, no flush. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for exit (graceful drain). */
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

/**
 * The real engine (src/main.ts under ts-node, as the e2e tests run it) in a child process on a given port, with
 * JSON logs so the bench can read timings from them. Readiness is GET /health answering 200.
 */
export async function spawnEngine(
  env: Record<string, string>,
  port: number,
  options: { ready?: boolean; readyTimeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<EngineChild> {
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      LOG_FORMAT: 'json',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let raw = '';
  let partial = '';
  const lines: EngineLogLine[] = [];
  const waiters: Array<{ pattern: RegExp; resolve(line: EngineLogLine): void }> = [];
  const onLine = (text: string) => {
    if (!text.startsWith('{')) return;
    try {
      const line = JSON.parse(text) as EngineLogLine;
      if (typeof line.msg !== 'string') return;
      lines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].pattern.test(line.msg)) waiters.splice(i, 1)[0].resolve(line);
      }
    } catch {
      /* not a log line */
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) onLine(part);
    if (raw.length < 2_000_000) raw += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    if (raw.length < 2_000_000) raw += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const engine: EngineChild = {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    spawnedAt,
    lines,
    rawOutput: () => raw,
    waitForLog: (pattern, timeoutMs = 60_000) => {
      const seen = lines.find((line) => pattern.test(line.msg));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms:\n${raw.slice(-4000)}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`engine exited (${code}) before logging ${pattern}:\n${raw.slice(-4000)}`));
        });
      });
    },
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    exited,
  };
  if (options.ready ?? true) await waitForHealth(engine, options.readyTimeoutMs ?? 180_000);
  return engine;
}

/**
 * Settings for an engine in paper mode whose kiteconnect client talks to `sim` (no built-in simulator, no order
 * stream), verifying postbacks with `secret`; `extra` adds or overrides (DATABASE_PATH, STRATEGIES, LOG_LEVEL, …).
 */
export function simulatorEngineEnv(sim: KiteSimulator, secret: string, extra: Record<string, string>): Record<string, string> {
  return {
    LEGWORK_MODE: 'paper',
    PAPER_SIMULATOR: 'false',
    KITE_ROOT_URL: sim.url,
    KITE_API_KEY: sim.options.apiKey,
    KITE_ACCESS_TOKEN: sim.options.accessToken,
    KITE_API_SECRET: secret,
    KITE_WS_ORDER_UPDATES: 'false',
    ...extra,
  };
}

/** Poll GET /health until 200; throws if the process exits first. */
export async function waitForHealth(engine: EngineChild, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (engine.child.exitCode !== null || engine.child.signalCode !== null) {
      throw new Error(`engine exited (${engine.child.exitCode ?? engine.child.signalCode}):\n${engine.rawOutput().slice(-4000)}`);
    }
    const ok = await fetch(`${engine.url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`engine not healthy within ${timeoutMs} ms:\n${engine.rawOutput().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A read-only view of the engine's SQLite file (WAL: reading never blocks the engine's writer). */
export function openStoreReadOnly(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** TypeORM's SQLite datetime text ("YYYY-MM-DD HH:MM:SS.SSS", UTC) as epoch ms. */
export function sqliteTimeMs(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(`${value.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? null : ms;
}

/** Counts the benches compare before/after: rows per table, pending inbox entries, undispatched events. */
export function storeCounts(db: Database.Database): Record<string, number> {
  const one = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
  return {
    inbox: one('SELECT COUNT(*) AS n FROM inbox'),
    inboxPending: one('SELECT COUNT(*) AS n FROM inbox WHERE "processedAt" IS NULL'),
    inboxFailed: one(`SELECT COUNT(*) AS n FROM inbox WHERE outcome = 'failed'`),
    orders: one('SELECT COUNT(*) AS n FROM orders'),
    orderEvents: one('SELECT COUNT(*) AS n FROM order_events'),
    undispatched: one('SELECT COUNT(*) AS n FROM order_events WHERE "dispatchedAt" IS NULL'),
    fills: one('SELECT COUNT(*) AS n FROM fills'),
  };
}
