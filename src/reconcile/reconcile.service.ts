import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Leadership } from '../leadership/leadership';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { In, Repository } from 'typeorm';
import { errorText } from '../common/error-text';
import type { OrderSnapshot } from '../events/order-snapshot';
import type { LegworkConfig } from '../config/legwork.config';
import { InboxProcessor } from '../inbox/inbox.processor';
import { KITE_CLIENT, KiteClient } from '../kite-session/kite-client.provider';
import { KITE_SESSION_EXPIRED, KITE_SESSION_RENEWED, KiteSessionService } from '../kite-session/kite-session.service';
import { Metric } from '../metrics/metrics';
import { Order } from '../orders/entities/order.entity';
import { snapshotOf } from '../orders/order-state.service';
import { ORDER_STREAM_RECONNECTED } from '../order-stream/kite-order-stream.service';
import { withKiteTimestamps } from './kite-timestamps';
import { ReconcileInboxWriter } from './reconcile-inbox.writer';
import { KiteRow, planReconcile } from './reconcile.planner';
import { isMarketHours } from '../market/market-clock';

export type ReconcileTrigger = 'boot' | 'demand' | 'timer' | 'stream-reconnect' | 'login';

export interface ReconcileSummary {
  trigger: ReconcileTrigger;
  omsOrders: number;
  updatesQueued: number;
  /** Orders a live update reached while Kite's book was read; their older rows were left out (see ReconcileInboxWriter). */
  overtaken: number;
  durationMs: number;
}

/** The last reconciliation this process ran, for the /trades page's header: when, why, and what it found or why it failed. */
export type LastReconcile = ({ ok: true; at: string } & ReconcileSummary) | { ok: false; at: string; trigger: ReconcileTrigger; error: string };

/** Published after each successful reconciliation (with its ReconcileSummary): what else is read back from Kite follows it (GTTs). */
export const RECONCILED = 'reconcile.done';

/** Only what the diff compares: loading whole rows (lastPayload) for a 10,000-order book costs more than the diff. */
const SNAPSHOT_COLUMNS: Record<keyof OrderSnapshot, true> = {
  orderId: true,
  status: true,
  statusMessage: true,
  exchange: true,
  tradingsymbol: true,
  transactionType: true,
  orderType: true,
  product: true,
  variety: true,
  tag: true,
  quantity: true,
  filledQuantity: true,
  pendingQuantity: true,
  cancelledQuantity: true,
  price: true,
  triggerPrice: true,
  averagePrice: true,
  orderTimestamp: true,
  exchangeUpdateTimestamp: true,
};

/**
 * Brings the store level with Kite's order book (getOrders + getTrades): whatever postbacks and the stream missed
 * while legwork was down or unreachable goes into the inbox as `reconcile` updates, and from there becomes the
 * same domain events a postback would have produced. Runs at boot (before the first inbox pass), on demand, on a
 * timer during market hours, after the order stream (re)connects, and after a login.
 *
 * It follows the Kite session, not the boot: an engine started before the day's login (or whose token expired)
 * reconciles when the login happens and starts its timer then; the timer pauses when the session ends.
 */
@Injectable()
export class ReconcileService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReconcileService.name);
  private running: Promise<ReconcileSummary> | null = null;
  /** The run that starts when the current one ends: every request made during a run gets it (never an older read). */
  private next: Promise<ReconcileSummary> | null = null;
  private timer: NodeJS.Timeout | undefined;
  /** In memory: it only informs (every start reconciles again before anything else). */
  private last: LastReconcile | null = null;

  constructor(
    @Inject(KITE_CLIENT) private readonly kite: KiteClient,
    private readonly session: KiteSessionService,
    private readonly inboxWriter: ReconcileInboxWriter,
    private readonly processor: InboxProcessor,
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    private readonly config: ConfigService<LegworkConfig, true>,
    @InjectMetric(Metric.ReconcileRuns) private readonly runs: Counter<string>,
    @InjectMetric(Metric.ReconcileDifferences) private readonly differences: Counter<string>,
    private readonly bus: EventEmitter2,
    private readonly leadership: Leadership,
  ) {}

  onModuleInit(): void {
    const { onBoot, intervalSeconds } = this.config.get('reconcile', { infer: true });
    if (!this.apiConfigured()) {
      this.logger.log('reconcile: no Kite API configured (paper mode without simulator); skipped');
      return;
    }
    if (!this.session.canCallKite()) {
      this.logger.warn(
        `reconcile waits for a Kite login (/kite/login): ${this.session.status().reason ?? 'no valid session'}; it runs at the login` +
          (intervalSeconds > 0 ? ' and its timer starts then' : ''),
      );
      return;
    }
    if (onBoot) this.processor.holdFirstPassUntil(() => this.reconcileSafely('boot'));
  }

  /** The timer starts once the event listeners are in place, so a session that ends from here on is always seen. */
  onApplicationBootstrap(): void {
    if (this.apiConfigured()) this.followSession();
  }

  onModuleDestroy(): void {
    this.stopTimer();
  }

  /** Whether the RECONCILE_INTERVAL_SECONDS timer is running (it runs while there is a valid Kite session). */
  get timerActive(): boolean {
    return this.timer !== undefined;
  }

  @OnEvent(ORDER_STREAM_RECONNECTED)
  onStreamReconnected(): Promise<unknown> {
    return this.reconcileSafely('stream-reconnect');
  }

  /** The day's login (or a new one): what happened without a session is fetched now, and the timer starts. */
  @OnEvent(KITE_SESSION_RENEWED)
  onSessionRenewed(): void {
    if (!this.apiConfigured()) return;
    this.followSession();
    void this.reconcileSafely('login');
  }

  @OnEvent(KITE_SESSION_EXPIRED)
  onSessionExpired(): void {
    this.followSession();
  }

  /** The timer runs exactly while there is a valid Kite session. */
  private followSession(): void {
    if (this.session.canCallKite()) return this.startTimer();
    if (!this.timer) return;
    this.stopTimer();
    this.logger.warn(`reconcile timer paused: no valid Kite session (${this.session.status().reason ?? 'none'}); it resumes after the next login`);
  }

  /**
   * One reconciliation at a time. A request while one runs gets the run that starts right after it (shared by every
   * request made meanwhile), so its answer always reflects Kite's book as read after the request. Throws if Kite
   * cannot be read.
   */
  reconcile(trigger: ReconcileTrigger): Promise<ReconcileSummary> {
    if (!this.running) {
      this.running = this.recorded(trigger, this.run(trigger)).finally(() => (this.running = null));
      return this.running;
    }
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.reconcile(trigger);
      });
    return this.next;
  }

  /** Keeps what the run ended with, for the live page's header. */
  private recorded(trigger: ReconcileTrigger, run: Promise<ReconcileSummary>): Promise<ReconcileSummary> {
    return run.then(
      (summary) => {
        this.last = { ok: true, at: new Date().toISOString(), ...summary };
        return summary;
      },
      (error: unknown) => {
        this.last = { ok: false, at: new Date().toISOString(), trigger, error: errorText(error) };
        throw error;
      },
    );
  }

  private startTimer(): void {
    const { intervalSeconds, hours } = this.config.get('reconcile', { infer: true });
    if (intervalSeconds <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      // The session may have ended without this service hearing of it yet (e.g. during start-up).
      if (!this.session.canCallKite()) return this.followSession();
      if (!this.leadership.isLeader()) return; // the leader reconciles for every instance
      if (hours === 'always' || isMarketHours(new Date())) void this.reconcileSafely('timer');
    }, intervalSeconds * 1000);
    this.timer.unref();
    this.logger.log(`reconcile timer started: every ${intervalSeconds} s${hours === 'always' ? '' : ' during market hours (09:00–15:45 IST, Mon–Fri)'}`);
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The last reconciliation since this process started; null before the first. */
  lastRun(): LastReconcile | null {
    return this.last;
  }

  private async reconcileSafely(trigger: ReconcileTrigger): Promise<ReconcileSummary | null> {
    try {
      return await this.reconcile(trigger);
    } catch (error) {
      this.runs.inc({ trigger, result: 'failed' });
      this.logger.error(`reconcile (${trigger}) failed: ${errorText(error)}; postbacks are still accepted, retry with POST /reconcile`);
      return null;
    }
  }

  /** A Kite API to reconcile against (paper mode without a simulator has none). */
  private apiConfigured(): boolean {
    const { apiKey, rootUrl } = this.config.get('kite', { infer: true });
    return Boolean(apiKey && rootUrl);
  }

  private async run(trigger: ReconcileTrigger): Promise<ReconcileSummary> {
    const started = Date.now();
    const lastInboxId = await this.inboxWriter.lastInboxId(); // what was known before the read
    const [orders, trades] = await Promise.all([this.kite.getOrders(), this.kite.getTrades()]);
    const rows = (orders as unknown as KiteRow[]).map(withKiteTimestamps);
    const tradeRows = (trades as unknown as KiteRow[]).map(withKiteTimestamps);

    const stored = new Map<string, ReturnType<typeof snapshotOf>>();
    const ids = rows.map((r) => String(r.order_id));
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = await this.orders.find({ select: SNAPSHOT_COLUMNS, where: { orderId: In(ids.slice(i, i + 500)) } });
      for (const order of chunk) stored.set(order.orderId, snapshotOf(order));
    }
    const plan = planReconcile(stored, rows, tradeRows);
    // A few large transactions, in plan (placement) order; rows the inbox already holds are skipped.
    const { written: queued, overtaken } = await this.inboxWriter.write(plan, { lastInboxId, stored });
    void this.processor.kick();

    const summary = { trigger, omsOrders: rows.length, updatesQueued: queued, overtaken, durationMs: Date.now() - started };
    this.runs.inc({ trigger, result: 'ok' });
    this.differences.inc(queued);
    this.logger.log(
      `reconcile (${trigger}): ${rows.length} order(s) in Kite's book, ${queued} update(s) the store lacked, in ${summary.durationMs} ms` +
        (overtaken ? `; ${overtaken} order(s) changed by live updates during the read kept their newer state` : ''),
    );
    this.bus.emit(RECONCILED, summary);
    return summary;
  }
}
