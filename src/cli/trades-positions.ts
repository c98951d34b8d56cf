/**
 * `npm run trades -- positions`: legwork's net quantity per instrument today against Kite's positions. Asks the
 * running engine for a fresh check (it holds the Kite session); with no engine answering, shows the last check stored
 * in the trade log and legwork's own figures now.
 */
import Table from 'cli-table3';
import { Command, Option } from 'commander';
import { PositionsCheckRecord } from '../positions/entities/positions-check.entity';
import type { PositionLine } from '../positions/positions-check';
import type { PositionsCheck } from '../positions/positions-check.service';
import { openTradeLogReadOnly, tradeLogLocation } from '../trade-log/read-only-data-source';
import { ENTITIES } from '../entities';
import { TradeLogService } from '../trade-log/trade-log.service';
import { formatIst, istToday } from '../market/ist-time';
import { engineUrl } from './cli-config';
import type { CliIo } from './cli-io';

interface Options {
  db?: string;
  url?: string;
  token?: string;
  format: 'table' | 'json';
}

/** A fresh check from the engine; null when no engine answers (or it cannot reach Kite: `reason` says why). */
async function askEngine(url: string, token: string | undefined): Promise<{ check: PositionsCheck | null; reason: string }> {
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/+$/, '')}/api/trade-log/positions-check`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    return { check: null, reason: `no engine answered at ${url}` };
  }
  const body = (await res.json().catch(() => ({}))) as { check?: PositionsCheck; message?: string };
  if (res.ok && body.check) return { check: body.check, reason: '' };
  if (res.status === 503) return { check: null, reason: `the engine could not read Kite's positions: ${body.message ?? res.statusText}` };
  throw new Error(`the engine answered ${res.status} for the positions check: ${body.message ?? res.statusText}`);
}

function render(lines: PositionLine[], heading: string): string {
  if (lines.length === 0) return `${heading}\nno positions today, in legwork or at Kite\n`;
  const table = new Table({
    head: ['Instrument', 'legwork today', 'Kite today', 'Kite net', 'Products', ''],
    style: { head: [], border: [], compact: true },
    colAligns: ['left', 'right', 'right', 'right', 'left', 'left'],
  });
  table.push(
    ...lines.map((l) => [
      `${l.exchange}:${l.tradingsymbol}`,
      String(l.legwork),
      String(l.kite),
      String(l.kiteNet),
      l.products.join(' '),
      l.match ? 'ok' : 'MISMATCH',
    ]),
  );
  const bad = lines.filter((l) => !l.match).length;
  return `${heading}\n${table.toString()}\n${bad === 0 ? 'all match' : `${bad} instrument(s) differ: run npm run reconcile, then look again`}\n`;
}

function renderLegwork(rows: Array<{ exchange: string | null; tradingsymbol: string; quantity: number }>, heading: string): string {
  if (rows.length === 0) return `${heading}\nnothing open today\n`;
  const table = new Table({ head: ['Instrument', 'legwork today'], style: { head: [], border: [], compact: true }, colAligns: ['left', 'right'] });
  table.push(...rows.map((r) => [`${r.exchange ?? '?'}:${r.tradingsymbol}`, String(r.quantity)]));
  return `${heading}\n${table.toString()}\n`;
}

export function registerPositionsCommand(program: Command, io: CliIo): void {
  program
    .command('positions')
    .description("today's net quantity per instrument in legwork against Kite's positions (asks the running engine; without one, the last check)")
    .option('--db <path>', 'trade log file, when no engine answers (default: DATABASE_PATH or ./data/legwork.sqlite)')
    .option('--url <url>', 'the running engine', engineUrl({ port: Number(io.env.PORT ?? 3000), host: io.env.HOST ?? '127.0.0.1' }))
    .option('--token <token>', 'TRADE_LOG_TOKEN, if the engine requires one', io.env.TRADE_LOG_TOKEN)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: Options) => {
      const fresh = await askEngine(o.url!, o.token);
      if (fresh.check) {
        const c = fresh.check;
        io.out(
          o.format === 'json' ? `${JSON.stringify(c, null, 2)}\n` : render(c.lines, `checked now (${formatIst(new Date(c.checkedAt))} IST, ${c.tradingDay})`),
        );
        return;
      }
      const dataSource = await openTradeLogReadOnly(tradeLogLocation(o.db, io.env, './data/legwork.sqlite'), ENTITIES);
      try {
        const runner = dataSource.createQueryRunner();
        const stored = (await runner.hasTable('positions_checks').finally(() => runner.release()))
          ? (await dataSource.getRepository(PositionsCheckRecord).find({ order: { id: 'DESC' }, take: 1 }))[0]
          : undefined;
        const today = istToday();
        const legwork = (await new TradeLogService(dataSource).dayNet(today)).map((i) => ({
          exchange: i.exchange,
          tradingsymbol: i.tradingsymbol,
          quantity: i.openQuantity,
        }));
        if (o.format === 'json') {
          io.out(
            `${JSON.stringify({ kiteAsked: false, reason: fresh.reason, lastCheck: stored ? { ...stored, lines: JSON.parse(stored.lines) as unknown } : null, legworkToday: legwork }, null, 2)}\n`,
          );
          return;
        }
        io.err(`${fresh.reason}: Kite's positions were not read now\n`);
        io.out(
          stored
            ? render(JSON.parse(stored.lines) as PositionLine[], `last check: ${formatIst(stored.checkedAt)} IST (${stored.trigger})`)
            : 'no check stored yet\n',
        );
        io.out(
          renderLegwork(
            legwork.filter((l) => l.quantity !== 0),
            `legwork now (${today}), without Kite's figures:`,
          ),
        );
      } finally {
        await dataSource.destroy();
      }
    });
}
