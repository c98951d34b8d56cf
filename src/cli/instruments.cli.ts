/**
 * npm run instruments -- status | refresh [--force] | find <EXCHANGE:SYMBOL | token | UNDERLYING> [--expiry --type --strike --nearest]
 *
 * `status` and `refresh` talk to the running engine (it loads the list; the CLI prints what it did). `status` falls
 * back to the trade-log file when no engine answers; `find` always reads the file, read-only (safe while the engine
 * runs). The list itself is loaded only by the engine, so one process writes it.
 */
import Table from 'cli-table3';
import { Command } from 'commander';
import type { DataSource } from 'typeorm';
import { loadLegworkConfig } from '../config/legwork.config';
import { WriteTransactions } from '../database/write-transactions';
import { InstrumentStore } from '../instruments/instrument.store';
import type { InstrumentInfo, OptionType } from '../instruments/instrument.types';
import { pickNearestStrike } from '../instruments/strikes';
import { openTradeLogReadOnly } from '../trade-log/read-only-data-source';
import { ENTITIES } from '../entities';
import { textOf } from '../common/text-of';

type Print = (line: string) => void;

export interface InstrumentsCliOptions {
  url: string;
  db: string;
  token?: string;
  print: Print;
}

export interface FindQuery {
  expiry?: string;
  type?: string;
  strike?: number;
  nearest?: boolean;
}

/** Thrown for a failure the user can act on; exit code 1 (2: the file is missing or unusable). */
export class InstrumentsCliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

async function engine(options: InstrumentsCliOptions, method: 'GET' | 'POST', path: string): Promise<Record<string, unknown> | null> {
  let res: Response;
  try {
    res = await fetch(`${options.url.replace(/\/+$/, '')}${path}`, {
      method,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      // A full list over a slow link takes a while; the engine answers when it is stored.
      signal: AbortSignal.timeout(method === 'POST' ? 300_000 : 5_000),
    });
  } catch {
    return null;
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = textOf((JSON.parse(text) as { message?: unknown }).message ?? text);
    } catch {
      // not JSON: the text as it came
    }
    throw new InstrumentsCliError(`${method} ${path} answered ${res.status}: ${message}`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

async function withFile<T>(options: InstrumentsCliOptions, work: (store: InstrumentStore) => Promise<T>): Promise<T> {
  let ds: DataSource;
  try {
    ds = await openTradeLogReadOnly(options.db, ENTITIES);
  } catch (error) {
    throw new InstrumentsCliError(error instanceof Error ? error.message : String(error), 2);
  }
  try {
    const runner = ds.createQueryRunner();
    const migrated = await runner.hasTable('instruments').finally(() => runner.release());
    if (!migrated) throw new InstrumentsCliError(`${options.db} has no instrument tables yet: start the engine once on it`, 2);
    // Read-only: the write queue is never used, it only completes the store's constructor.
    return await work(new InstrumentStore(ds, new WriteTransactions(ds)));
  } finally {
    await ds.destroy();
  }
}

function describeList(list: { listDay: string; rows: number; loadedAt?: unknown; completedAt?: unknown; startedAt?: unknown } | null | undefined): string {
  if (!list) return 'no instrument list loaded yet';
  const at = list.loadedAt ?? list.completedAt ?? list.startedAt;
  return `${list.listDay}'s list, ${list.rows} rows, loaded ${at instanceof Date ? at.toISOString() : String(at)}`;
}

export async function instrumentsStatus(options: InstrumentsCliOptions): Promise<void> {
  const status = await engine(options, 'GET', '/instruments');
  if (status) {
    const list = status.list as { listDay: string; rows: number; loadedAt: string; current: boolean } | null;
    options.print(`in use: ${describeList(list)}${list && !list.current ? ` — NOT today's (${String(status.due)}'s is due)` : ''}`);
    if (status.loading) options.print('loading now');
    const failure = status.lastFailure as { at: string; reason: string } | null;
    if (failure) options.print(`last load failed at ${failure.at}: ${failure.reason}`);
    if (status.nextCheckAt) options.print(`next check: ${textOf(status.nextCheckAt)}`);
    return;
  }
  const list = await withFile(options, (store) => store.currentList());
  options.print(`in use (from ${options.db}; engine not running): ${describeList(list)}`);
}

export async function instrumentsRefresh(options: InstrumentsCliOptions & { force?: boolean }): Promise<void> {
  options.print('asking the engine to load the instrument list…');
  const result = await engine(options, 'POST', `/instruments/refresh${options.force ? '?force=true' : ''}`);
  if (!result) throw new InstrumentsCliError(`no engine answering at ${options.url}: start it (it loads the list at start when the stored one is not today's)`);
  if (result.alreadyCurrent) {
    options.print(`${String(result.listDay)}'s list is already in use (${String(result.rows)} rows); --force loads it again`);
    return;
  }
  const byExchange = Object.entries(result.byExchange as Record<string, number>)
    .map(([exchange, n]) => `${exchange} ${n}`)
    .join(', ');
  options.print(
    `loaded ${String(result.listDay)}'s list: ${String(result.rows)} rows (${byExchange}); fetched in ${String(result.fetchMs)} ms, stored in ${String(result.storeMs)} ms`,
  );
  if (Number(result.skipped) > 0 || Number(result.duplicates) > 0)
    options.print(`left out: ${String(result.skipped)} unreadable, ${String(result.duplicates)} duplicate row(s)`);
}

export async function instrumentsFind(options: InstrumentsCliOptions, what: string, query: FindQuery): Promise<InstrumentInfo[]> {
  if (query.strike !== undefined && !Number.isFinite(query.strike)) throw new InstrumentsCliError('--strike must be a number');
  if (query.type && !['CE', 'PE'].includes(query.type.toUpperCase())) throw new InstrumentsCliError(`--type must be CE or PE, got "${query.type}"`);
  const type = query.type?.toUpperCase() as OptionType | undefined;
  const found = await withFile(options, async (store): Promise<InstrumentInfo[]> => {
    const key = /^([A-Z]+):(.+)$/i.exec(what);
    if (key) return [await store.find(key[1].toUpperCase(), key[2])].filter((row): row is InstrumentInfo => row !== null);
    if (/^\d+$/.test(what)) return [await store.findByToken(Number(what))].filter((row): row is InstrumentInfo => row !== null);
    const underlying = what.toUpperCase();
    if (query.nearest) {
      if (!query.expiry || !type || query.strike === undefined) throw new InstrumentsCliError('--nearest needs --expiry, --type and --strike');
      const nearest = pickNearestStrike(await store.options({ underlying, expiry: query.expiry, type }), { strike: query.strike });
      return nearest ? [nearest] : [];
    }
    return store.options({ underlying, expiry: query.expiry, type, strike: query.strike });
  });
  if (found.length === 0) {
    options.print(
      `nothing listed for ${what}${query.expiry ? ` expiring ${query.expiry}` : ''}${type ? ` ${type}` : ''}${query.strike !== undefined ? ` at ${query.strike}` : ''}`,
    );
    return found;
  }
  // No colours (as the trades CLI): the output is read in logs and pipes too.
  const table = new Table({
    head: ['instrument', 'token', 'type', 'expiry', 'strike', 'lot', 'tick', 'segment'],
    style: { head: [], border: [], compact: true },
    colAligns: ['left', 'right', 'left', 'left', 'right', 'right', 'right', 'left'],
  });
  for (const i of found)
    table.push([`${i.exchange}:${i.tradingsymbol}`, i.instrumentToken, i.instrumentType, i.expiry ?? '', i.strike ?? '', i.lotSize, i.tickSize, i.segment]);
  options.print(table.toString());
  return found;
}

export async function main(
  argv = process.argv,
  print: Print = (line) => console.log(line),
  printError: Print = (line) => console.error(line),
): Promise<number> {
  const config = loadLegworkConfig(process.env); // the engine's settings: its port, its trade-log file, its token
  const program = new Command()
    .name('npm run instruments --')
    .description("Kite's instrument list in legwork: which day's list is in use, load it now, look instruments up")
    .option('--url <url>', 'the running engine', `http://127.0.0.1:${config.http.port}`)
    .option('--db <path>', 'the trade-log file (find; status when no engine answers)', config.database.path)
    .option('--token <token>', 'TRADE_LOG_TOKEN, if the engine requires one', config.tradeLog.token)
    .exitOverride();
  program.command('status').description("which day's list is in use, and the last failure if any");
  program
    .command('refresh')
    .description("have the engine load the list now (nothing to do when today's is in use)")
    .option('--force', "load even when today's list is in use");
  program
    .command('find <what>')
    .description('EXCHANGE:TRADINGSYMBOL, an instrument token, or an underlying (options, narrowed by the options below)')
    .option('--expiry <yyyy-mm-dd>', 'options expiring that day')
    .option('--type <CE|PE>', 'calls or puts')
    .option('--strike <strike>', 'that strike', (v) => Number(v))
    .option('--nearest', 'the listed strike nearest to --strike (needs --expiry and --type)');
  let chosen: Command | undefined;
  program.commands.forEach((c) =>
    c.action(() => {
      chosen = c;
    }),
  );
  try {
    program.parse(argv);
  } catch {
    return 2; // commander printed the usage error
  }
  if (!chosen) {
    print(program.helpInformation());
    return 2;
  }
  const options: InstrumentsCliOptions = { ...program.opts<{ url: string; db: string; token?: string }>(), print };
  try {
    if (chosen.name() === 'status') await instrumentsStatus(options);
    else if (chosen.name() === 'refresh') await instrumentsRefresh({ ...options, force: Boolean(chosen.opts().force) });
    else await instrumentsFind(options, chosen.args[0], chosen.opts<FindQuery>());
    return 0;
  } catch (error) {
    printError(`instruments: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof InstrumentsCliError ? error.exitCode : 1;
  }
}

if (require.main === module) void main().then((code) => (process.exitCode = code));
