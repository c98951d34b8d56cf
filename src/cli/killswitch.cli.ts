/**
 * npm run killswitch -- status | trip "<reason>" [--cancel-open] | rearm
 *
 * Talks to the running engine (--url, default http://127.0.0.1:$PORT) so tripping takes effect at once and can cancel
 * open orders. If no engine answers, it writes the switch into the SQLite trade log (--db / DATABASE_PATH) instead:
 * the engine reads it before every placement and at start, so it stays stopped until someone re-arms it.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { DataSource, DataSourceOptions } from 'typeorm';
import { sqliteDataSourceOptions } from '../database/data-source.options';
import { KillSwitchState } from '../rails/entities/kill-switch.entity';

type Print = (line: string) => void;

interface Options {
  url: string;
  db: string;
  token?: string;
  print: Print;
}

async function viaHttp(options: Options, method: string, path: string, body?: unknown): Promise<Record<string, unknown> | null> {
  let res: Response;
  try {
    res = await fetch(`${options.url.replace(/\/+$/, '')}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
  } catch {
    return null; // no engine: fall back to the file
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function viaFile<T>(options: Options, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = await new DataSource({ ...sqliteDataSourceOptions({ path: options.db, synchronous: 'FULL' }), logging: false } as DataSourceOptions).initialize();
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}

function describe(state: { tripped?: unknown; reason?: unknown; changedBy?: unknown }): string {
  return state.tripped ? `TRIPPED (${state.reason ?? 'no reason'}; by ${state.changedBy ?? '?'}): no new orders are placed` : 'armed: strategies may place orders';
}

export async function runKillSwitch(command: 'status' | 'trip' | 'rearm', options: Options & { reason?: string; cancelOpen?: boolean }): Promise<{ tripped: boolean; via: 'engine' | 'file' }> {
  if (command === 'status') {
    const usage = await viaHttp(options, 'GET', '/rails');
    if (usage) {
      const ks = usage.killSwitch as Record<string, unknown>;
      options.print(`kill switch: ${describe(ks)}`);
      options.print(`orders: ${JSON.stringify(usage.orders)}`);
      return { tripped: Boolean(ks.tripped), via: 'engine' };
    }
    const row = await viaFile(options, (ds) => ds.getRepository(KillSwitchState).findOneBy({ id: 'global' }));
    options.print(`kill switch (from ${options.db}; engine not running): ${describe(row ?? {})}`);
    return { tripped: Boolean(row?.tripped), via: 'file' };
  }
  if (command === 'trip') {
    const reason = options.reason?.trim() || 'tripped from the command line';
    const result = await viaHttp(options, 'POST', '/rails/kill-switch', { reason, cancelOpen: Boolean(options.cancelOpen) });
    if (result) {
      options.print(`kill switch: ${describe(result)}`);
      if (options.cancelOpen) options.print(`cancelled: ${(result.cancelled as string[]).join(', ') || 'no open legwork orders'}`);
      return { tripped: true, via: 'engine' };
    }
    await viaFile(options, (ds) => ds.getRepository(KillSwitchState).save({ id: 'global', tripped: true, reason, changedBy: 'cli' }));
    options.print(`kill switch TRIPPED in ${options.db} (engine not running): it starts stopped`);
    if (options.cancelOpen) options.print('open orders were NOT cancelled: that needs the running engine (or Kite itself)');
    return { tripped: true, via: 'file' };
  }
  const result = await viaHttp(options, 'DELETE', '/rails/kill-switch');
  if (result) {
    options.print(`kill switch: ${describe(result)}`);
    return { tripped: false, via: 'engine' };
  }
  await viaFile(options, (ds) => ds.getRepository(KillSwitchState).save({ id: 'global', tripped: false, reason: null, changedBy: 'cli' }));
  options.print(`kill switch re-armed in ${options.db} (engine not running)`);
  return { tripped: false, via: 'file' };
}

export async function main(argv = process.argv): Promise<number> {
  const program = new Command()
    .name('npm run killswitch --')
    .description('Stop (or allow again) every strategy from placing orders')
    .argument('<command>', 'status | trip | rearm')
    .argument('[reason]', 'why (for trip)')
    .option('--cancel-open', 'with trip: also cancel every open order legwork placed')
    .option('--url <url>', 'the running engine', `http://127.0.0.1:${process.env.PORT ?? 3000}`)
    .option('--db <path>', 'the SQLite trade log, used when no engine answers', process.env.DATABASE_PATH ?? './data/legwork.sqlite')
    .option('--token <token>', 'TRADE_LOG_TOKEN, if the engine requires one', process.env.TRADE_LOG_TOKEN)
    .parse(argv);
  const [command, reason] = program.args as [string, string | undefined];
  if (!['status', 'trip', 'rearm'].includes(command)) {
    console.error(`killswitch: unknown command "${command}" (status, trip or rearm)`);
    return 2;
  }
  const o = program.opts<{ cancelOpen?: boolean; url: string; db: string; token?: string }>();
  try {
    await runKillSwitch(command as 'status' | 'trip' | 'rearm', { ...o, db: resolve(o.db), reason, print: (line) => console.log(line) });
    return 0;
  } catch (error) {
    console.error(`killswitch: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (require.main === module) void main().then((code) => (process.exitCode = code));
