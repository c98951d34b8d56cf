/**
 * npm run killswitch -- status | trip "<reason>" [--cancel-open] | rearm
 *
 * Talks to the running engine (--url, default http://127.0.0.1:$PORT) so tripping takes effect at once and can cancel
 * open orders. If no engine answers, it writes the switch into the SQLite trade log (--db / DATABASE_PATH) instead:
 * the engine reads it before every placement and at start, so it stays stopped until someone re-arms it. With
 * --cancel-open and no engine, it cancels the open legwork orders itself when it has Kite credentials (KITE_API_KEY,
 * and KITE_ACCESS_TOKEN or the engine's last login in the trade log; KITE_ROOT_URL for a simulator).
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { KiteConnect } from 'kiteconnect';
import { DataSource, MoreThan } from 'typeorm';
import { Leg } from '../broker/entities/leg.entity';
import { sqliteDataSourceOptions } from '../database/data-source.options';
import { ENTITIES } from '../entities';
import { Gtt } from '../gtt/entities/gtt.entity';
import { deleteLegworkGtts, DeleteGttsResult } from '../gtt/gtt-delete';
import { KiteSession } from '../kite-session/kite-session.entity';
import { cliConfig, engineUrl } from './cli-config';
import { cancelOpenLegworkOrders, CancelOpenResult, legsThatMayBeOpen } from '../rails/cancel-open';
import { KillSwitchState } from '../rails/entities/kill-switch.entity';
import { OrderPacer } from '../rails/rate-limits';
import { textOf } from '../common/text-of';

type Print = (line: string) => void;

interface Options {
  url: string;
  db: string;
  token?: string;
  print: Print;
  /** For --cancel-open when no engine runs. */
  kite?: { apiKey?: string; accessToken?: string; rootUrl?: string };
  /** CANCEL_OPEN_DELETES_GTTS (default true): --cancel-open also deletes legwork's live GTTs. */
  deleteGtts?: boolean;
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
  const ds = await new DataSource({ ...sqliteDataSourceOptions({ path: options.db, synchronous: 'FULL' }, ENTITIES), logging: false }).initialize();
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}

/** --cancel-open with no engine: cancel with the official client directly, paced at Kite's 10 requests/s; delete live GTTs. */
async function cancelWithoutEngine(options: Options): Promise<(CancelOpenResult & { gtts: DeleteGttsResult | null }) | string> {
  const { apiKey, rootUrl } = options.kite ?? {};
  if (!apiKey || !rootUrl) return 'no Kite credentials (set KITE_API_KEY, and KITE_ROOT_URL unless live)';
  return viaFile(options, async (ds) => {
    const session = await ds.getRepository(KiteSession).findOne({ where: { expiresAt: MoreThan(new Date()) }, order: { id: 'DESC' } });
    const accessToken = options.kite?.accessToken ?? session?.accessToken;
    if (!accessToken) return 'no Kite access token (set KITE_ACCESS_TOKEN, or log in through the engine)';
    const legs = await legsThatMayBeOpen(ds.getRepository(Leg));
    const kite = new KiteConnect({ api_key: apiKey, access_token: accessToken, root: rootUrl, debug: false });
    const pacer = new OrderPacer({ perSecond: 10, perMinute: 400 });
    const orders = await cancelOpenLegworkOrders(kite, legs, () => pacer.take());
    const repo = ds.getRepository(Gtt);
    const gtts = options.deleteGtts === false ? null : await deleteLegworkGtts(kite, repo, (work) => work(repo));
    return { ...orders, gtts };
  });
}

function describe(state: { tripped?: unknown; reason?: unknown; changedBy?: unknown }): string {
  return state.tripped
    ? `TRIPPED (${textOf(state.reason ?? 'no reason')}; by ${textOf(state.changedBy ?? '?')}): no new orders are placed`
    : 'armed: strategies may place orders';
}

export async function runKillSwitch(
  command: 'status' | 'trip' | 'rearm',
  options: Options & { reason?: string; cancelOpen?: boolean },
): Promise<{ tripped: boolean; via: 'engine' | 'file'; cancelled?: string[] }> {
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
      if (options.cancelOpen) {
        options.print(`cancelled: ${(result.cancelled as string[]).join(', ') || 'no open legwork orders'}`);
        const gtts = (result.gttsDeleted as number[] | undefined) ?? [];
        if (gtts.length > 0) options.print(`GTTs deleted: ${gtts.join(', ')}`);
      }
      return { tripped: true, via: 'engine' };
    }
    await viaFile(options, (ds) => ds.getRepository(KillSwitchState).save({ id: 'global', tripped: true, reason, changedBy: 'cli' }));
    options.print(`kill switch TRIPPED in ${options.db} (engine not running): it starts stopped`);
    if (options.cancelOpen) {
      const cancelled = await cancelWithoutEngine(options);
      if (typeof cancelled === 'string') {
        options.print(`open orders were NOT cancelled: ${cancelled}. Cancel them in Kite`);
        return { tripped: true, via: 'file', cancelled: [] };
      }
      options.print(`cancelled: ${cancelled.cancelled.join(', ') || 'no open legwork orders'}`);
      for (const f of cancelled.cancelFailures) options.print(`NOT cancelled ${f.orderId}: ${f.error}`);
      if (cancelled.gtts?.deleted.length) options.print(`GTTs deleted: ${cancelled.gtts.deleted.join(', ')}`);
      for (const f of cancelled.gtts?.failures ?? []) options.print(`GTT NOT deleted ${f.triggerId}: ${f.error}`);
      return { tripped: true, via: 'file', cancelled: cancelled.cancelled };
    }
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
  const config = cliConfig('killswitch'); // the engine's .env and defaults: its port, its database file
  const program = new Command()
    .name('npm run killswitch --')
    .description('Stop (or allow again) every strategy from placing orders')
    .argument('<command>', 'status | trip | rearm')
    .argument('[reason]', 'why (for trip)')
    .option('--cancel-open', 'with trip: also cancel every open order legwork placed')
    .option('--url <url>', 'the running engine', engineUrl(config.http))
    .option('--db <path>', 'the SQLite trade log, used when no engine answers', config.database.path)
    .option('--token <token>', 'RAILS_TOKEN, if the engine requires one', config.rails.token)
    .parse(argv);
  const [command, reason] = program.args as [string, string | undefined];
  if (!['status', 'trip', 'rearm'].includes(command)) {
    console.error(`killswitch: unknown command "${command}" (status, trip or rearm)`);
    return 2;
  }
  const o = program.opts<{ cancelOpen?: boolean; url: string; db: string; token?: string }>();
  try {
    const { apiKey, accessToken, rootUrl } = config.kite;
    const kite = { apiKey, accessToken, rootUrl };
    await runKillSwitch(command as 'status' | 'trip' | 'rearm', {
      ...o,
      db: resolve(o.db),
      reason,
      kite,
      deleteGtts: config.gtt.cancelOpenDeletes,
      print: (line) => console.log(line),
    });
    return 0;
  } catch (error) {
    console.error(`killswitch: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (require.main === module) void main().then((code) => (process.exitCode = code));
