import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Leadership } from '../leadership/leadership';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { Repository } from 'typeorm';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { WriteTransactions } from '../database/write-transactions';
import { KITE_CLIENT, KiteClient } from '../kite-session/kite-client.provider';
import { KiteSessionService } from '../kite-session/kite-session.service';
import { MarketClock } from '../market/market-clock';
import { Metric } from '../metrics/metrics';
import { Notifier } from '../notifier/notifier.service';
import { TradeLogService } from '../trade-log/trade-log.service';
import { PositionsCheckRecord } from './entities/positions-check.entity';
import { comparePositions, mismatchKey, PositionLine } from './positions-check';

export interface PositionsCheck {
  checkedAt: string;
  tradingDay: string;
  trigger: string;
  mismatches: number;
  lines: PositionLine[];
}

/**
 * Compares legwork's net quantity per instrument (today's fills of every order it knows, netted by pnl.ts) with
 * Kite's positions (positions-check.ts says exactly what is compared). Every POSITIONS_CHECK_INTERVAL_SECONDS during
 * market hours on trading days, and on demand (POST /api/trade-log/positions-check, `npm run trades -- positions`).
 * Each check is stored (the last one is what the page and the CLI show) and sets `legwork_positions_mismatch`. A
 * mismatch seen by two checks in a row alerts (once per mismatch): one check alone may catch a fill whose update is
 * still on its way.
 */
@Injectable()
export class PositionsCheckService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Positions');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PositionsCheck> | null = null;
  /** Mismatches this process alerted on (an accelerator: a restart may alert a standing mismatch once more). */
  private readonly alerted = new Set<string>();

  constructor(
    @InjectRepository(PositionsCheckRecord) private readonly checks: Repository<PositionsCheckRecord>,
    @Inject(KITE_CLIENT) private readonly kite: KiteClient,
    private readonly tradeLog: TradeLogService,
    private readonly session: KiteSessionService,
    private readonly clock: MarketClock,
    private readonly writes: WriteTransactions,
    private readonly notifier: Notifier,
    private readonly config: ConfigService<LegworkConfig, true>,
    @InjectMetric(Metric.PositionsMismatch) private readonly gauge: Gauge<string>,
    private readonly leadership: Leadership,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.get('positions', { infer: true }).checkIntervalSeconds;
    const { apiKey, rootUrl } = this.config.get('kite', { infer: true });
    if (seconds <= 0 || !apiKey || !rootUrl) return;
    this.timer = setInterval(() => {
      if (!this.leadership.isLeader() || !this.session.canCallKite() || !this.clock.isMarketHours()) return;
      this.check('timer').catch((error) => this.logger.error(`positions check failed: ${errorText(error)}`));
    }, seconds * 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Check now (one at a time: a request during a check gets that check). Throws when Kite cannot be read. */
  check(trigger: 'timer' | 'demand' = 'demand'): Promise<PositionsCheck> {
    this.running ??= this.run(trigger).finally(() => (this.running = null));
    return this.running;
  }

  /** The last check stored, or null before the first. */
  async latest(): Promise<PositionsCheck | null> {
    const [row] = await this.checks.find({ order: { id: 'DESC' }, take: 1 });
    return row ? viewOf(row) : null;
  }

  private async run(trigger: string): Promise<PositionsCheck> {
    if (!this.session.canCallKite()) throw new Error(`no valid Kite session (${this.session.status().reason ?? 'none'}): log in at /kite/login`);
    const now = this.clock.now();
    const day = this.clock.day(now);
    const previous = await this.latest();
    const { net } = await this.kite.getPositions();
    const legwork = (await this.tradeLog.dayNet(day)).map((i) => ({ exchange: i.exchange, tradingsymbol: i.tradingsymbol, quantity: i.openQuantity }));
    const lines = comparePositions(legwork, net);
    const mismatched = lines.filter((l) => !l.match);
    const row = await this.writes.run(
      (m) => m.save(m.create(PositionsCheckRecord, { tradingDay: day, trigger, mismatches: mismatched.length, lines: JSON.stringify(lines) })),
      { durable: false },
    );
    this.gauge.set(mismatched.length);

    const before = new Set(previous && previous.tradingDay === day ? previous.lines.filter((l) => !l.match).map(mismatchKey) : []);
    const confirmed = mismatched.filter((l) => before.has(mismatchKey(l)) && !this.alerted.has(mismatchKey(l)));
    if (mismatched.length > 0) {
      this.logger.warn(`positions check: ${mismatched.map(describe).join('; ')}`);
    }
    if (confirmed.length > 0) {
      for (const line of confirmed) this.alerted.add(mismatchKey(line));
      this.notifier.notify({
        title: `Positions differ from Kite: ${confirmed.map((l) => l.tradingsymbol).join(', ')}`,
        text: `${confirmed.map(describe).join('; ')}. Two checks in a row: an order legwork did not see, or a fill it missed. Run npm run reconcile, then npm run trades -- positions.`,
        severity: 'critical',
        fields: { day },
      });
    }
    return viewOf(row);
  }
}

function describe(line: PositionLine): string {
  return `${line.exchange}:${line.tradingsymbol} legwork ${line.legwork}, Kite ${line.kite} today (net ${line.kiteNet})`;
}

function viewOf(row: PositionsCheckRecord): PositionsCheck {
  return {
    checkedAt: row.checkedAt.toISOString(),
    tradingDay: row.tradingDay,
    trigger: row.trigger,
    mismatches: row.mismatches,
    lines: JSON.parse(row.lines) as PositionLine[],
  };
}
