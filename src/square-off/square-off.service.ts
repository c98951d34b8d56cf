import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Leadership } from '../leadership/leadership';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Leg } from '../broker/entities/leg.entity';
import { claimable, LegLedger } from '../broker/leg-ledger';
import { orderPhase } from '../broker/leg-state.machine';
import { OrderGateway } from '../broker/order-gateway.service';
import type { Variety } from '../broker/leg-order';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { CLOCK_TIME } from '../config/environment.dto';
import { isUniqueViolation } from '../database/unique-violation';
import { WriteTransactions } from '../database/write-transactions';
import { GttService } from '../gtt/gtt.service';
import { KITE_CLIENT, KiteClient } from '../kite-session/kite-client.provider';
import { KiteSessionService } from '../kite-session/kite-session.service';
import { afterZerodhaSquareOff, MARKET_CLOSE, MarketClock, minutesOf } from '../market/market-clock';
import { Notifier } from '../notifier/notifier.service';
import { Order } from '../orders/entities/order.entity';
import { cancelOpenLegworkOrders, legsThatMayBeOpen } from '../rails/cancel-open';
import { StrategySettings } from '../config/strategy-settings';
import { RunningStrategies } from '../broker/running-strategies';
import { TradeLogService } from '../trade-log/trade-log.service';
import { SquareOff } from './entities/square-off.entity';
import { ClosingOrder, OpenPosition, planSquareOff, squareOffAttempt, squareOffLegName } from './square-off.plan';

/** How often a due square-off is looked at (and carried on: cancellations settle, the first wave fills). */
const TICK_MS = 5_000;
const SQUARE_OFF_LEG = 'square-off:';

interface Summary {
  cancelled: string[];
  gttsDeleted: number[];
  closing: Array<{ chain: string; leg: string; side: string; quantity: number; instrument: string }>;
  notAtKite: string[];
}

/**
 * The timed square-off: at SQUARE_OFF_AT (IST; a strategy's <STRATEGY>_SQUARE_OFF_AT overrides it, `off` exempts it)
 * each strategy's open orders are cancelled and its GTTs deleted, then its net open quantity per chain is flattened
 * with exactly-once, risk-reducing legs (MARKET with Kite's automatic protection; the kill switch lets them through):
 * shorts covered first, longs (the hedges) closed once those have filled. Never more than Kite shows open
 * (square-off.plan.ts). A leg rejected or filled in part is followed by another for what is left, up to
 * LEG_GROUP_UNWIND_ATTEMPTS, then a critical alert.
 *
 * Once per strategy and trading day: the row in `square_offs` (unique per day) records it, with a claim so that one
 * instance works on it and another takes over if that one dies. An engine that starts after the time and before the
 * close (15:30) does it at start; on weekends and MARKET_HOLIDAYS nothing happens.
 */
@Injectable()
export class SquareOffService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SquareOff');
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | null = null;
  private times = new Map<string, string>();
  /** Days this process already alerted that a square-off is due without a Kite session. */
  private readonly noSessionAlerted = new Set<string>();

  constructor(
    @InjectRepository(SquareOff) private readonly rows: Repository<SquareOff>,
    @InjectRepository(Leg) private readonly legs: Repository<Leg>,
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    @Inject(KITE_CLIENT) private readonly kite: KiteClient,
    private readonly gateway: OrderGateway,
    private readonly ledger: LegLedger,
    private readonly gtts: GttService,
    private readonly tradeLog: TradeLogService,
    private readonly strategies: RunningStrategies,
    private readonly clock: MarketClock,
    private readonly session: KiteSessionService,
    private readonly writes: WriteTransactions,
    private readonly notifier: Notifier,
    private readonly config: ConfigService<LegworkConfig, true>,
    private readonly leadership: Leadership,
  ) {}

  /** After every strategy is known: read and check the times, warn past Zerodha's own square-off, and look at once. */
  onApplicationBootstrap(): void {
    this.strategies.whenKnown(() => this.begin());
  }

  private begin(): void {
    this.times = this.schedule();
    if (this.times.size === 0) return;
    for (const [strategy, at] of this.times) {
      const late = afterZerodhaSquareOff(at);
      if (late) {
        this.logger.warn(
          `square-off for ${strategy} at ${at} IST is after Zerodha's own auto square-off of intraday (MIS) ${late} positions: ` +
            `Zerodha closes those first (and charges for it); set SQUARE_OFF_AT earlier`,
        );
      }
    }
    this.logger.log(`timed square-off: ${[...this.times].map(([s, at]) => `${s} at ${at}`).join(', ')} IST on trading days`);
    this.timer = setInterval(() => void (this.leadership.isLeader() && this.tick()), TICK_MS);
    this.timer.unref();
    // started after the time and before the close: now (a standby, once it leads)
    void this.leadership.whenLeader().then(() => this.tick());
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Strategy → its square-off time, for the running strategies that have one. Throws on a bad value (the engine does not start). */
  schedule(): Map<string, string> {
    const global = this.config.get('squareOff', { infer: true }).at;
    const env = this.config.get('strategies', { infer: true }).settings;
    const times = new Map<string, string>();
    for (const { name } of this.strategies.all) {
      const settings = new StrategySettings(name, env);
      const own = settings.string('square_off_at');
      if (own !== undefined && own.toLowerCase() !== 'off' && !CLOCK_TIME.test(own)) {
        throw new Error(`${settings.variableName('square_off_at')} must be an IST time as HH:MM (24-hour) or "off" (got ${JSON.stringify(own)})`);
      }
      const at = own?.toLowerCase() === 'off' ? undefined : (own ?? global);
      if (!at) continue;
      const variable = own ? settings.variableName('square_off_at') : 'SQUARE_OFF_AT';
      if (minutesOf(at) >= minutesOf(MARKET_CLOSE) || minutesOf(at) < 9 * 60 + 15) {
        throw new Error(`${variable}=${at} is outside the market's session (09:15 to ${MARKET_CLOSE} IST): a square-off then could never trade`);
      }
      times.set(name, at);
    }
    return times;
  }

  /** Look at every strategy whose square-off is due today and carry it on. One look at a time. */
  tick(now: Date = this.clock.now()): Promise<void> {
    this.ticking ??= this.runDue(now).finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async runDue(now: Date): Promise<void> {
    const day = this.clock.day(now);
    if (!this.clock.isTradingDay(day)) return;
    const minute = this.clock.minutes(now);
    for (const [strategy, at] of this.times) {
      if (minute < minutesOf(at) || minute >= minutesOf(MARKET_CLOSE)) continue;
      try {
        await this.carryOn(strategy, day, at);
      } catch (error) {
        this.logger.error({ strategy }, `square-off for ${strategy}: ${errorText(error)}; tried again in ${TICK_MS / 1000} s`);
      }
    }
  }

  /** One step of a strategy's square-off for the day; each step is safe to repeat (legs are exactly-once). */
  private async carryOn(strategy: string, day: string, at: string): Promise<void> {
    const row = await this.claim(strategy, day, at);
    if (!row) return;
    if (!this.session.canCallKite()) {
      if (!this.noSessionAlerted.has(`${strategy}:${day}`)) {
        this.noSessionAlerted.add(`${strategy}:${day}`);
        this.notifier.notify({
          title: `Square-off due but no Kite session: ${strategy}`,
          text: `The square-off at ${at} IST cannot run without a valid Kite login (${this.session.status().reason ?? 'none'}). Log in at /kite/login, or close the positions in Kite.`,
          severity: 'critical',
        });
      }
      return;
    }
    const summary: Summary = row.summary ? (JSON.parse(row.summary) as Summary) : { cancelled: [], gttsDeleted: [], closing: [], notAtKite: [] };
    const strategyLegs = await this.legs.findBy({ strategy });
    const closing = strategyLegs.filter((l) => l.legName.startsWith(`${SQUARE_OFF_LEG}${day}:`));
    const others = strategyLegs.filter((l) => !l.legName.startsWith(SQUARE_OFF_LEG));
    const book = await this.kite.getOrders();

    // 1. Nothing of the strategy's may open or add anything any more: cancel its open orders, delete its GTTs.
    const cancellable = (await legsThatMayBeOpen(this.legs)).filter((leg) => others.some((l) => l.tag === leg.tag));
    const cancelled = await cancelOpenLegworkOrders(
      {
        getOrders: () => Promise.resolve(book),
        cancelOrder: (variety, id) => this.gateway.cancelOrder(variety as Variety, String(id)).then((orderId) => ({ order_id: orderId })),
      },
      cancellable,
    );
    const gtts = await this.gtts.deleteAll({ strategy });
    summary.cancelled.push(...cancelled.cancelled);
    summary.gttsDeleted.push(...gtts.deleted);
    if (cancelled.cancelled.length + gtts.deleted.length > 0) {
      this.logger.warn(
        { strategy },
        `square-off for ${strategy} (${at} IST): ${cancelled.cancelled.length} open order(s) cancelled, ${gtts.deleted.length} GTT(s) deleted`,
      );
    }
    // Their fills are final once they are, and the trade log must have them all before anything is closed.
    if (cancelled.cancelled.length > 0 || !(await this.settled(others, book))) {
      await this.save(row, summary);
      return;
    }

    // 2. Closing legs sent earlier still working (or their fills not stored yet): wait for them.
    if (!(await this.settled(closing, book))) {
      await this.save(row, summary);
      return;
    }

    // 3. What is still open, capped by Kite's positions; shorts first, then longs.
    const plan = planSquareOff(await this.openPositions(strategy), (await this.kite.getPositions()).net);
    summary.notAtKite = plan.notAtKite.map(
      (p) => `${p.exchange}:${p.tradingsymbol} ${p.product} chain ${p.chainId}: legwork ${p.quantity}, Kite ${p.kiteQuantity}`,
    );
    const wave = plan.first.length > 0 ? plan.first : plan.second;
    if (wave.length === 0) return this.finish(row, summary, 'done');

    const maxAttempts = this.config.get('broker', { infer: true }).groupUnwindAttempts;
    const stuck: string[] = [];
    for (const order of wave) {
      const attempt =
        1 +
        Math.max(
          0,
          ...closing.filter((l) => l.chainId === order.chainId).map((l) => squareOffAttempt(l.legName, day, order.exchange, order.tradingsymbol) ?? 0),
        );
      if (attempt > maxAttempts) {
        stuck.push(`${order.transactionType} ${order.quantity} ${order.exchange}:${order.tradingsymbol} (chain ${order.chainId})`);
        continue;
      }
      await this.close(strategy, day, order, attempt, summary);
    }
    if (stuck.length === wave.length) return this.finish(row, summary, 'stuck', stuck);
    await this.save(row, summary);
  }

  private async close(strategy: string, day: string, order: ClosingOrder, attempt: number, summary: Summary): Promise<void> {
    const legName = squareOffLegName(day, order.exchange, order.tradingsymbol, attempt);
    const outcome = await this.gateway.placeRiskReducingLeg({
      strategy,
      parentOrderId: order.chainId,
      chainId: order.chainId,
      legName,
      order: {
        variety: 'regular',
        exchange: order.exchange,
        tradingsymbol: order.tradingsymbol,
        transaction_type: order.transactionType,
        quantity: order.quantity,
        product: order.product,
        order_type: 'MARKET',
        market_protection: -1,
      },
    });
    if (!outcome.duplicate)
      summary.closing.push({
        chain: order.chainId,
        leg: legName,
        side: order.transactionType,
        quantity: order.quantity,
        instrument: `${order.exchange}:${order.tradingsymbol}`,
      });
    this.logger.warn(
      { strategy, chain: order.chainId },
      `square-off for ${strategy}: ${order.transactionType} ${order.quantity} ${order.exchange}:${order.tradingsymbol} (${legName}): ${outcome.status}`,
    );
  }

  /** The strategy's open quantity per chain and instrument, from its fills (FIFO per chain, pnl.ts), with the product of its orders. */
  private async openPositions(strategy: string): Promise<OpenPosition[]> {
    const positions: OpenPosition[] = [];
    for (const chain of await this.tradeLog.chains({ strategy })) {
      for (const instrument of chain.pnl.instruments) {
        if (instrument.openQuantity === 0 || !instrument.exchange) continue;
        // Kite: the exit must carry the position's product, or it opens a new position.
        const product = chain.timeline
          .map((step) => step.order)
          .filter((o) => o && o.exchange === instrument.exchange && o.tradingsymbol === instrument.tradingsymbol && o.filledQuantity > 0 && o.product)
          .at(-1)?.product;
        if (!product) continue;
        positions.push({
          chainId: chain.chainId,
          exchange: instrument.exchange,
          tradingsymbol: instrument.tradingsymbol,
          product,
          quantity: instrument.openQuantity,
        });
      }
    }
    return positions;
  }

  /**
   * Every one of these legs has a known outcome, its order (and the chains' entry orders) is final in Kite's book, and
   * the trade log has recorded every fill Kite shows: only then is the open quantity from the trade log the truth.
   */
  private async settled(legs: Leg[], book: Awaited<ReturnType<KiteClient['getOrders']>>): Promise<boolean> {
    if (legs.some((l) => l.status === 'intent' || l.status === 'placing' || l.status === 'unknown')) return false;
    const ids = new Set(legs.flatMap((l) => [l.chainId, ...(l.orderId ? [l.orderId] : [])]).filter(Boolean));
    const tags = new Set(legs.map((l) => l.tag));
    const rows = book.filter((row) => !row.parent_order_id && (ids.has(String(row.order_id)) || tags.has(String(row.tag))));
    if (rows.some((row) => orderPhase(String(row.status)) === 'working')) return false;
    if (rows.length === 0) return true;
    const stored = new Map((await this.orders.findBy({ orderId: In(rows.map((r) => String(r.order_id))) })).map((o) => [o.orderId, o.filledQuantity]));
    // An update still on its way (or lost: the reconcile timer and the stream bring it in).
    return rows.every((row) => (stored.get(String(row.order_id)) ?? 0) >= Number(row.filled_quantity ?? 0));
  }

  /** Start today's square-off for the strategy, or carry on with it if nobody else is (a claim, as for legs). Null: done, stuck, or held elsewhere. */
  private async claim(strategy: string, day: string, at: string): Promise<SquareOff | null> {
    const owner = this.ledger.owner;
    try {
      const row = await this.writes.run((m) =>
        m.save(
          m.create(SquareOff, {
            strategy,
            tradingDay: day,
            dueAt: at,
            status: 'running',
            claimedBy: owner,
            claimExpiresAt: this.ledger.leaseEnd(),
            summary: null,
            finishedAt: null,
          }),
        ),
      );
      this.logger.warn({ strategy }, `square-off for ${strategy} (${at} IST, ${day}) starts: open orders cancelled, GTTs deleted, open quantity closed`);
      return row;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const row = await this.rows.findOneByOrFail({ strategy, tradingDay: day });
    if (row.status !== 'running') return null;
    const claimExpiresAt = this.ledger.leaseEnd();
    const taken = await this.writes.run(
      (m) => m.update(SquareOff, claimable<SquareOff>({ id: row.id, status: 'running' }, owner, new Date()), { claimedBy: owner, claimExpiresAt }),
      { durable: false },
    );
    return (taken.affected ?? 0) > 0 ? row : null;
  }

  private save(row: SquareOff, summary: Summary): Promise<unknown> {
    return this.writes.run((m) => m.update(SquareOff, { id: row.id, status: 'running' }, { summary: JSON.stringify(summary) }), { durable: false });
  }

  private async finish(row: SquareOff, summary: Summary, status: 'done' | 'stuck', stuck: string[] = []): Promise<void> {
    const moved = await this.writes.run((m) =>
      m.update(
        SquareOff,
        { id: row.id, status: 'running' },
        { status, summary: JSON.stringify(summary), finishedAt: new Date(), claimedBy: null, claimExpiresAt: null },
      ),
    );
    if ((moved.affected ?? 0) === 0) return;
    const closed = summary.closing.map((c) => `${c.side} ${c.quantity} ${c.instrument}`);
    const parts = [
      `${summary.cancelled.length} open order(s) cancelled, ${summary.gttsDeleted.length} GTT(s) deleted.`,
      closed.length ? `Closed: ${closed.join(', ')}.` : 'Nothing was open.',
      ...(summary.notAtKite.length ? [`Open in legwork's books but not at Kite (not sent): ${summary.notAtKite.join('; ')}.`] : []),
      ...(stuck.length
        ? [`NOT closed after ${this.config.get('broker', { infer: true }).groupUnwindAttempts} attempts, act by hand: ${stuck.join('; ')}.`]
        : []),
    ];
    this.logger[status === 'done' ? 'log' : 'error']({ strategy: row.strategy }, `square-off for ${row.strategy} ${status}: ${parts.join(' ')}`);
    this.notifier.notify({
      title: status === 'done' ? `Squared off: ${row.strategy}` : `Square-off NOT complete: ${row.strategy}`,
      text: parts.join(' '),
      severity: status === 'done' ? (summary.notAtKite.length ? 'warning' : 'info') : 'critical',
      fields: { strategy: row.strategy, day: row.tradingDay, at: row.dueAt },
    });
  }

  /** Today's square-offs (or a day's), for operators and tests. */
  list(day: string = this.clock.day()): Promise<SquareOff[]> {
    return this.rows.find({ where: { tradingDay: day }, order: { strategy: 'ASC' } });
  }
}
