import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BadRequestException, Controller, Get, Header, Logger, NotFoundException, Param, Query, Res, UseGuards, UsePipes, ValidationPipe,
} from '@nestjs/common';
import type { Response } from 'express';
import { TradeLogAuthGuard, TradeLogPage } from './trade-log-auth.guard';
import { filterOfQuery, TradeLogQuery } from './trade-log.query';
import { TradeLogFilterError, TradeLogService } from './trade-log.service';

/**
 * The page's files: plain HTML, JS and CSS, no build step. They sit next to this file under ts-node/Jest
 * (src/trade-log/page) and are copied beside the compiled file by `nest build` (nest-cli.json assets → dist/src/trade-log/page).
 */
export const PAGE_DIR = join(__dirname, 'page');
const ASSETS: Record<string, string> = {
  'trade-log.js': 'text/javascript; charset=utf-8',
  'trade-log.css': 'text/css; charset=utf-8',
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
  for (const name of ['index.html', ...Object.keys(ASSETS)]) {
    try {
      files.set(name, readFileSync(join(PAGE_DIR, name), 'utf8'));
    } catch {
      logger.error(`trade-log page file missing: ${join(PAGE_DIR, name)} (nest-cli.json assets must copy src/trade-log/page)`);
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
  @TradeLogPage()
  @UseGuards(TradeLogAuthGuard)
  page(@Res() res: Response): void {
    this.send(res, 'index.html', 'text/html; charset=utf-8');
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    const type = Object.prototype.hasOwnProperty.call(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) throw new NotFoundException();
    this.send(res, file, type);
  }

  private send(res: Response, name: string, type: string): void {
    const body = this.files.get(name);
    if (body === undefined) {
      res.status(500).type('text/plain').send(`trade-log page file ${name} is missing from ${PAGE_DIR}`);
      return;
    }
    res.status(200).set({ ...PAGE_HEADERS, 'Content-Type': type }).send(body);
  }
}

/** JSON behind the page; the same views as `npm run trades`. */
@Controller('api/trade-log')
@UseGuards(TradeLogAuthGuard)
@UsePipes(new ValidationPipe({ whitelist: true, transform: true }))
export class TradeLogApiController {
  constructor(private readonly tradeLog: TradeLogService) {}

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
}
