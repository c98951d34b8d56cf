#!/usr/bin/env node
/**
 * Review the trade log (read-only): orders, fills, chains and realised P&L, as tables, CSV or JSON.
 *
 *   npm run trades -- chains --date 2026-11-25
 *   npm run trades -- chain 251125000000001
 *   npm run trades -- orders --strategy breakout --status rejected
 *   npm run trades -- fills --symbol INFY --format csv --out infy-fills.csv
 *   npm run trades -- pnl --date 2026-11-25 [--by strategy] [--format json]
 *   npm run trades -- watch [--url http://127.0.0.1:3000] [--token …] [--date …]   (live, from the running engine)
 *   npm run trades -- positions            (today's net per instrument against Kite's positions, via the engine)
 *
 * The file comes from --db, else DATABASE_PATH, else ./data/legwork.sqlite; it is opened read-only. `watch` reads
 * the running engine instead (its live stream), so it needs the engine and, beyond loopback, TRADE_LOG_TOKEN.
 */
import { writeFileSync } from 'node:fs';
import { loadEnvironment } from '../config/environment-file';
import { Command, CommanderError, Option } from 'commander';
import { openTradeLogReadOnly, tradeLogLocation, TradeLogOpenError } from '../trade-log/read-only-data-source';
import { ENTITIES } from '../entities';
import {
  CHAIN_COLUMNS,
  chainCsvRow,
  chainDetail,
  chainsTable,
  FILL_COLUMNS,
  fillsTable,
  ORDER_COLUMNS,
  ordersTable,
  PNL_CHAIN_COLUMNS,
  PNL_STRATEGY_COLUMNS,
  pnlTables,
  toCsv,
  toJson,
} from '../trade-log/trade-log.render';
import { TradeLogFilterError, TradeLogService } from '../trade-log/trade-log.service';
import type { TradeLogFilter } from '../trade-log/trade-log.types';
import type { CliIo } from './cli-io';
import { watchEngine } from './trades-watch';
import { registerPositionsCommand } from './trades-positions';

type Format = 'table' | 'csv' | 'json';

interface CommonOptions {
  db?: string;
  date?: string;
  symbol?: string;
  strategy?: string;
  chain?: string;
  status?: string;
  format: Format;
  out?: string;
}

const DEFAULT_DB = './data/legwork.sqlite';

function withCommonOptions(command: Command, filters = true): Command {
  command.option('--db <path>', `trade log file (default: DATABASE_PATH or ${DEFAULT_DB})`);
  if (filters) {
    command
      .option('--date <yyyy-mm-dd>', 'trading day (IST, by order time)')
      .option('--symbol <tradingsymbol>', 'only this instrument')
      .option('--strategy <name>', 'only chains of this strategy')
      .option('--chain <chainId>', 'only this chain')
      .option('--status <status>', 'order status (COMPLETE, REJECTED, OPEN, …) or leg status (intent, placing, unknown, placed, failed)');
  }
  return command
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .option('--out <file>', 'write to this file instead of stdout');
}

const filterOf = (o: CommonOptions): TradeLogFilter => ({
  date: o.date,
  tradingsymbol: o.symbol,
  strategy: o.strategy,
  chain: o.chain,
  status: o.status,
});

/** Runs the CLI on argv (without the node and script entries). Resolves to the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const program = new Command('trades')
    .description('Review the legwork trade log (read-only): orders, fills, chains and realised P&L')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError();

  /** Opens the file, runs the query, renders and writes; everything else is the commands' business. */
  const run = (render: (service: TradeLogService, options: CommonOptions) => Promise<{ text: string; count?: number }>) => async (options: CommonOptions) => {
    const path = tradeLogLocation(options.db, io.env, DEFAULT_DB);
    const dataSource = await openTradeLogReadOnly(path, ENTITIES);
    try {
      const { text, count } = await render(new TradeLogService(dataSource), options);
      if (options.out) {
        writeFileSync(options.out, text);
        io.err(`wrote ${count === undefined ? '' : `${count} row(s) `}to ${options.out}\n`);
      } else {
        io.out(text);
      }
    } finally {
      await dataSource.destroy();
    }
  };

  withCommonOptions(program.command('orders').description('orders with their chain, strategy, leg and state')).action(
    run(async (service, o) => {
      const rows = await service.orders(filterOf(o));
      const text = o.format === 'json' ? toJson(rows) : o.format === 'csv' ? toCsv(rows as never, ORDER_COLUMNS) : ordersTable(rows);
      return { text, count: rows.length };
    }),
  );

  withCommonOptions(program.command('fills').description('fills (one row per rise of filled quantity)')).action(
    run(async (service, o) => {
      const rows = await service.fills(filterOf(o));
      const text = o.format === 'json' ? toJson(rows) : o.format === 'csv' ? toCsv(rows as never, FILL_COLUMNS) : fillsTable(rows);
      return { text, count: rows.length };
    }),
  );

  withCommonOptions(program.command('chains').description('chains (entry order and legs) with their steps and realised P&L')).action(
    run(async (service, o) => {
      const chains = await service.chains(filterOf(o));
      const text = o.format === 'json' ? toJson(chains) : o.format === 'csv' ? toCsv(chains.map(chainCsvRow), CHAIN_COLUMNS) : chainsTable(chains);
      return { text, count: chains.length };
    }),
  );

  withCommonOptions(program.command('chain').argument('<chainId>').description('one chain as a timeline, with P&L per instrument'), false).action(
    async (chainId: string, options: CommonOptions) =>
      run(async (service, o) => {
        const [chain] = await service.chains({ chain: chainId });
        if (!chain) throw new TradeLogFilterError(`no chain ${chainId} in the trade log`);
        const text = o.format === 'json' ? toJson(chain) : o.format === 'csv' ? toCsv([chainCsvRow(chain)], CHAIN_COLUMNS) : chainDetail(chain);
        return { text, count: 1 };
      })(options),
  );

  withCommonOptions(program.command('pnl').description('realised P&L per chain and per strategy (FIFO within each chain)'))
    .addOption(new Option('--by <what>', 'chain, strategy or both (csv: chain unless strategy)').choices(['chain', 'strategy', 'both']).default('both'))
    .action(async (options: CommonOptions & { by: 'chain' | 'strategy' | 'both' }) =>
      run(async (service, o) => {
        const report = await service.pnl(filterOf(o));
        if (o.format === 'json') {
          const value = options.by === 'chain' ? report.chains : options.by === 'strategy' ? report.strategies : report;
          return { text: toJson(value) };
        }
        if (o.format === 'csv') {
          return options.by === 'strategy'
            ? { text: toCsv(report.strategies as never, PNL_STRATEGY_COLUMNS), count: report.strategies.length }
            : {
                text: toCsv(
                  report.chains.map((c) => ({ ...c, tradingsymbols: c.tradingsymbols.join(' ') })),
                  PNL_CHAIN_COLUMNS,
                ),
                count: report.chains.length,
              };
        }
        return { text: pnlTables(report, options.by) };
      })(options),
    );

  let watchExit = 0;
  program
    .command('watch')
    .description('live view of the running engine: its state, realised P&L per strategy and positions, updated as orders change')
    .option('--url <url>', 'the engine', `http://127.0.0.1:${io.env.PORT ?? 3000}`)
    .option('--token <token>', 'TRADE_LOG_TOKEN, if the engine requires one (default: TRADE_LOG_TOKEN)')
    .option('--date <yyyy-mm-dd>', 'trading day for P&L and positions (default: today, IST)')
    .action(async (o: { url: string; token?: string; date?: string }) => {
      if (o.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.date)) throw new TradeLogFilterError(`date must be yyyy-mm-dd, got "${o.date}"`);
      watchExit = await watchEngine({ url: o.url, token: o.token ?? io.env.TRADE_LOG_TOKEN, date: o.date }, io);
    });

  registerPositionsCommand(program, io);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return watchExit;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander has printed the message (or help)
    if (error instanceof TradeLogOpenError || error instanceof TradeLogFilterError) {
      io.err(`trades: ${error.message}\n`);
      return error instanceof TradeLogOpenError ? 2 : 1;
    }
    io.err(`trades: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  loadEnvironment(); // the engine's .env: its DATABASE_PATH
  const interrupted = new AbortController();
  process.once('SIGINT', () => interrupted.abort());
  void main(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    signal: interrupted.signal,
    isTTY: process.stdout.isTTY,
  }).then((code) => {
    process.exitCode = code;
  });
}
