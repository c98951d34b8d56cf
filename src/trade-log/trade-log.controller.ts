import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadRequestException, Controller, Get, Header, Logger, NotFoundException, Param, Query, Res, UsePipes, ValidationPipe } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Response } from 'express';
import type { LegworkConfig } from '../config/legwork.config';
import { TradeLogDayView } from './day-view.service';
import { TRADE_LOG_ACCESS } from '../access/access-areas';
import { AcceptsQueryToken, Protected } from '../access/access.guard';
import { DayQuery, filterOfQuery, TradeLogQuery } from './trade-log.query';
import { TradeLogFilterError, TradeLogService } from './trade-log.service';
import { istToday } from '../market/ist-time';

/**
 * The page's files: plain HTML, JS and CSS, no build step. They sit next to this file under ts-node/Jest
 * (src/trade-log/page) and are copied beside the compiled file by `nest build` (nest-cli.json assets → dist/src/trade-log/page).
 */
export const PAGE_DIR = join(__dirname, 'page');
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const ASSETS: Record<string, string> = {
  'trade-log.js': JS,
  'trade-log-charts.js': JS,
  'trade-log.css': CSS,
};
/**
 * The charting library (uPlot), served by the engine itself from node_modules: no CDN, so the page works on a machine
 * that reaches nothing but Kite.
 */
const LIBRARY_ASSETS: Record<string, { path: string; type: string }> = {
  'uPlot.iife.min.js': { path: require.resolve('uplot/dist/uPlot.iife.min.js'), type: JS },
  'uPlot.min.css': { path: require.resolve('uplot/dist/uPlot.min.css'), type: CSS },
};
/** Everything the page loads comes from this origin; nothing inline; no framing; no referrer (it may carry ?token=). */
const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

function readPage(logger: Logger): Map<string, string> {
  const files = new Map<string, string>();
  const sources: Array<[string, string]> = [
    ...['index.html', ...Object.keys(ASSETS)].map((name): [string, string] => [name, join(PAGE_DIR, name)]),
    ...Object.entries(LIBRARY_ASSETS).map(([name, { path }]): [string, string] => [name, path]),
  ];
  for (const [name, path] of sources) {
    try {
      files.set(name, readFileSync(path, 'utf8'));
    } catch {
      logger.error(`trade-log page file missing: ${path} (nest-cli.json assets must copy src/trade-log/page; npm ci installs uplot)`);
    }
  }
  return files;
}

async function filterErrorsAs400<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TradeLogFilterError) throw new BadRequestException(error.message);
    throw error;
  }
}

/** GET /trades: the read-only trade-log page. Its scripts and styles are public (code only, no data). */
@Controller('trades')
export class TradeLogPageController {
  private readonly files = readPage(new Logger('TradeLog'));

  @Get()
  @AcceptsQueryToken('page')
  @Protected(TRADE_LOG_ACCESS)
  page(@Res() res: Response): void {
    this.send(res, 'index.html', 'text/html; charset=utf-8');
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    const own = Object.prototype.hasOwnProperty.call(ASSETS, file) ? ASSETS[file] : undefined;
    const library = Object.prototype.hasOwnProperty.call(LIBRARY_ASSETS, file) ? LIBRARY_ASSETS[file].type : undefined;
    const type = own ?? library;
    if (!type) throw new NotFoundException();
    this.send(res, file, type);
  }

  private send(res: Response, name: string, type: string): void {
    const body = this.files.get(name);
    if (body === undefined) {
      res.status(500).type('text/plain').send(`trade-log page file ${name} is missing from ${PAGE_DIR}`);
      return;
    }
    res
      .status(200)
      .set({ ...PAGE_HEADERS, 'Content-Type': type })
      .send(body);
  }
}

/** JSON behind the page; the same views as `npm run trades`. */
@Controller('api/trade-log')
@Protected(TRADE_LOG_ACCESS)
@UsePipes(new ValidationPipe({ whitelist: true, transform: true }))
export class TradeLogApiController {
  private readonly ordersPerMinute: number;

  constructor(
    private readonly tradeLog: TradeLogService,
    private readonly dayView: TradeLogDayView,
    config: ConfigService<LegworkConfig, true>,
  ) {
    this.ordersPerMinute = config.get('rails', { infer: true }).ordersPerMinute;
  }

  /** Trading days with orders, newest first. */
  @Get('days')
  @Header('Cache-Control', 'no-store')
  async days(): Promise<{ days: string[] }> {
    return { days: await this.tradeLog.days() };
  }

  @Get('chains')
  @Header('Cache-Control', 'no-store')
  chains(@Query() query: TradeLogQuery) {
    return filterErrorsAs400(async () => ({ chains: await this.tradeLog.chains(filterOfQuery(query)) }));
  }

  @Get('orders')
  @Header('Cache-Control', 'no-store')
  orders(@Query() query: TradeLogQuery) {
    return filterErrorsAs400(async () => ({ orders: await this.tradeLog.orders(filterOfQuery(query)) }));
  }

  @Get('orders/:orderId')
  @Header('Cache-Control', 'no-store')
  async order(@Param('orderId') orderId: string) {
    const detail = await this.tradeLog.order(orderId);
    if (!detail) throw new NotFoundException(`no order ${orderId} in the trade log`);
    return detail;
  }

  @Get('fills')
  @Header('Cache-Control', 'no-store')
  fills(@Query() query: TradeLogQuery) {
    return filterErrorsAs400(async () => ({ fills: await this.tradeLog.fills(filterOfQuery(query)) }));
  }

  @Get('pnl')
  @Header('Cache-Control', 'no-store')
  pnl(@Query() query: TradeLogQuery) {
    return filterErrorsAs400(() => this.tradeLog.pnl(filterOfQuery(query)));
  }

  /** Everything the page draws for a day (default today), from one read of its chains: what an open page reads on each change. */
  @Get('day')
  @Header('Cache-Control', 'no-store')
  day(@Query() query: DayQuery) {
    return filterErrorsAs400(async () => {
      const day = await this.dayView.day(query.date ?? istToday());
      return { ...day, orderRate: { ...day.orderRate, limitPerMinute: this.ordersPerMinute } };
    });
  }

  /** Net open quantity and average price per instrument and per strategy on a day (default today), Kite's beside. */
  @Get('positions')
  @Header('Cache-Control', 'no-store')
  positions(@Query() query: DayQuery) {
    return filterErrorsAs400(() => this.dayView.positions(query.date ?? istToday()));
  }

  /** Realised P&L through a day (default today), per strategy and in total. */
  @Get('pnl-over-day')
  @Header('Cache-Control', 'no-store')
  pnlOverDay(@Query() query: DayQuery) {
    return filterErrorsAs400(() => this.dayView.pnlOverDay(query.date ?? istToday()));
  }

  /** Placements and modifications per minute on a day (default today), with the per-minute limit they were paced to. */
  @Get('order-rate')
  @Header('Cache-Control', 'no-store')
  async orderRate(@Query() query: DayQuery) {
    return { ...(await this.dayView.orderRate(query.date ?? istToday())), limitPerMinute: this.ordersPerMinute };
  }
}
