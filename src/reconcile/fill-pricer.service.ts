import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, IsNull, Repository, WhereExpressionBuilder } from 'typeorm';
import { errorText } from '../common/error-text';
import { WriteTransactions } from '../database/write-transactions';
import { FILLS_PRICED, FillsPricedEvent } from '../events/fill.events';
import { OrderEventName } from '../events/order-event-names';
import type { OrderFilledEvent } from '../events/order.events';
import { KITE_CLIENT, KiteClient } from '../kite-session/kite-client.provider';
import { KITE_SESSION_RENEWED, KiteSessionService } from '../kite-session/kite-session.service';
import { Fill } from '../orders/entities/fill.entity';
import { formatIst } from '../market/ist-time';
import { priceFillsFromTrades } from './fill-pricing';
import { withKiteTimestamps } from './kite-timestamps';
import type { KiteRow } from './reconcile.planner';

/** Unpriced fills read per pass; a day rarely has more than a handful. */
const BATCH = 500;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;

/**
 * Prices the fills the order-state machine stored without a price (Kite reported a rise of filled_quantity with
 * average_price 0, or averages that cannot price it) from Kite's trades, off the postback path: ingress and the
 * inbox never wait for Kite.
 *
 * Runs after an unpriced order.filled event is published, at start (fills left unpriced by a previous run: the
 * NULL price in the database is the to-do list, nothing lives only in memory), and after a login. While some stay
 * unpriced (Kite's trade book can lag its order book) it tries again with backoff, 1 s doubling to 60 s. One
 * getTrades() call per pass, whatever the number of orders. Kite's trade book holds only today's trades, so only
 * today's (IST) fills are tried; older unpriced fills are reported at start and left as they are.
 */
@Injectable()
export class FillPricer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FillPricer.name);
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Infinity;
  private retryMs = FIRST_RETRY_MS;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @Inject(KITE_CLIENT) private readonly kite: KiteClient,
    private readonly session: KiteSessionService,
    @InjectRepository(Fill) private readonly fills: Repository<Fill>,
    private readonly writes: WriteTransactions,
    private readonly bus: EventEmitter2,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const older = await this.unpricedQuery()
      .andWhere(new Brackets((w) => this.notToday(w)))
      .getCount();
    if (older > 0) {
      this.logger.warn(`${older} fill(s) from earlier days have no price (Kite's trade book only holds today's trades); the trade log shows them as unpriced`);
    }
    this.schedule(0);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  @OnEvent(OrderEventName.Filled)
  onFilled(event: OrderFilledEvent): void {
    if (event.fill.price === null) this.schedule(0);
  }

  @OnEvent(KITE_SESSION_RENEWED)
  onSessionRenewed(): void {
    this.retryMs = FIRST_RETRY_MS;
    this.schedule(0);
  }

  /** One pass now (joins a running one); resolves with how many fills it priced. For tests and tools. */
  async priceNow(): Promise<number> {
    let priced = 0;
    this.running = (this.running ?? Promise.resolve()).then(async () => {
      priced = await this.pass();
    });
    await this.running;
    return priced;
  }

  /** Run a pass in `delayMs` unless one is already due sooner. */
  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const at = Date.now() + delayMs;
    if (this.timer && this.dueAt <= at) return;
    clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Infinity;
      void this.priceNow().catch((error) => this.logger.error(`pricing fills failed: ${errorText(error)}`));
    }, delayMs);
    this.timer.unref();
  }

  private async pass(): Promise<number> {
    const unpriced = await this.unpricedQuery()
      .andWhere(new Brackets((w) => this.today(w)))
      .orderBy('f.id', 'ASC')
      .limit(BATCH)
      .getMany();
    if (unpriced.length === 0) {
      this.retryMs = FIRST_RETRY_MS;
      return 0;
    }
    if (!this.session.canCallKite()) {
      // Nothing to ask until there is a session: a login schedules the next pass.
      this.logger.warn(`${unpriced.length} fill(s) wait for a price from Kite's trades, which need a Kite session (log in at /kite/login)`);
      return 0;
    }
    let trades: KiteRow[];
    try {
      trades = ((await this.kite.getTrades()) as unknown as KiteRow[]).map(withKiteTimestamps);
    } catch (error) {
      this.logger.warn(`could not read Kite's trades to price ${unpriced.length} fill(s): ${errorText(error)}; retrying in ${this.retryMs / 1000} s`);
      return this.retryLater(0);
    }
    const prices = priceFillsFromTrades(unpriced, trades);
    const priced: FillsPricedEvent['fills'] = [];
    await this.writes.run(
      async (manager) => {
        for (const fill of unpriced) {
          const price = prices.get(fill.id);
          if (price === undefined) continue;
          // Only while still unpriced: another instance (or pass) may have priced it meanwhile.
          const result = await manager.update(Fill, { id: fill.id, price: IsNull() }, { price });
          if (result.affected) priced.push({ fillId: fill.id, orderId: fill.orderId, quantity: fill.quantity, price });
        }
      },
      { durable: false }, // derived from Kite's trades: lost to a power cut, it is simply priced again
    );
    for (const f of priced)
      this.logger.log(
        { orderId: f.orderId },
        `fill of order ${f.orderId} (${f.quantity} to ${unpriced.find((u) => u.id === f.fillId)?.cumulativeQuantity}) priced at ${f.price} from Kite's trades`,
      );
    if (priced.length > 0) await this.bus.emitAsync(FILLS_PRICED, { fills: priced } satisfies FillsPricedEvent);
    const left = unpriced.length - prices.size;
    if (left > 0) {
      this.logger.warn(`${left} fill(s) not in Kite's trade book yet; retrying in ${this.retryMs / 1000} s`);
      return this.retryLater(priced.length);
    }
    this.retryMs = FIRST_RETRY_MS;
    if (unpriced.length === BATCH) this.schedule(0); // more than one batch waiting
    return priced.length;
  }

  private retryLater(priced: number): number {
    this.schedule(this.retryMs);
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    return priced;
  }

  private unpricedQuery() {
    return this.fills.createQueryBuilder('f').where('f.price IS NULL');
  }

  /** Today's fills (IST): by the exchange's time when known, else by when they were stored. */
  private today(w: WhereExpressionBuilder): void {
    const { istFrom, utcFrom } = istDayStart();
    w.where('f.exchangeTimestamp >= :istFrom', { istFrom }).orWhere('(f.exchangeTimestamp IS NULL AND f.createdAt >= :utcFrom)', { utcFrom });
  }

  private notToday(w: WhereExpressionBuilder): void {
    const { istFrom, utcFrom } = istDayStart();
    w.where('f.exchangeTimestamp < :istFrom', { istFrom }).orWhere('(f.exchangeTimestamp IS NULL AND f.createdAt < :utcFrom)', { utcFrom });
  }
}

/** The start of today's IST day, as an IST string (Kite's timestamps) and as a UTC instant (legwork's columns). */
function istDayStart(now = new Date()): { istFrom: string; utcFrom: Date } {
  const day = formatIst(now).slice(0, 10);
  return { istFrom: `${day} 00:00:00`, utcFrom: new Date(`${day}T00:00:00+05:30`) };
}
