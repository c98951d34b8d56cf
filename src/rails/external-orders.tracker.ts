import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { Repository } from 'typeorm';
import { isLegTag } from '../broker/leg-tag';
import { RunningStrategies } from '../broker/running-strategies';
import { errorText } from '../common/error-text';
import { ExternalOrderRow, HOT_PATH_STORE, HotPathStore } from '../database/hot-path/hot-path.store';
import { OnAnyOrderEvent } from '../events/on-any-order-event';
import { DeliveryHolds } from '../orders/delivery-holds';
import { GttOrderLinker } from '../gtt/gtt-order-linker';
import type { AnyOrderEvent } from '../events/order.events';
import { Metric } from '../metrics/metrics';
import { istToday } from '../market/ist-time';
import { ExternalOrder } from './entities/external-order.entity';

/**
 * Marks orders nobody placed through legwork as external: every order event (from postbacks, the WebSocket stream or
 * reconciliation) whose order carries no leg tag and no tag a running strategy's handlers ask for, and is not the
 * order a GTT of ours fired (those carry no tag; see GttOrderLinker). The order's state
 * is stored like any other; this only records that it is external. Strategies still never see it (the strategy host
 * delivers it only to handlers with `external: true`).
 *
 * The rows are written in batches: every order first seen while the publisher delivers a batch of events goes in one
 * unit of work (a prepared statement), written once the event loop comes round (setImmediate). On a busy morning most
 * postbacks are first sights of external orders, and a write per order cost more than its postback's own (issue 15).
 * Nothing rests on memory: each event whose order is in a batch is held (DeliveryHolds) until the batch is committed,
 * so the publisher does not mark it dispatched before; a crash in between means the event is published again at the
 * next start, and the order recorded then.
 */
@Injectable()
export class ExternalOrdersTracker implements OnModuleDestroy {
  private readonly logger = new Logger('ExternalOrders');
  /** Orders already known to be external (or known not to be): saves a write per event. An accelerator only. */
  private readonly seen = new Set<string>();
  /** First sights waiting for their write, and that write (events are held until it settles). */
  private pending: { rows: ExternalOrderRow[]; written: Promise<void> } | null = null;

  constructor(
    @InjectRepository(ExternalOrder) private readonly externals: Repository<ExternalOrder>,
    @Inject(HOT_PATH_STORE) private readonly store: HotPathStore,
    private readonly strategies: RunningStrategies,
    @InjectMetric(Metric.ExternalOrders) private readonly counter: Counter<string>,
    // The order a GTT of ours fired carries no tag, yet is ours.
    private readonly gttOrders: GttOrderLinker,
    private readonly holds: DeliveryHolds,
  ) {}

  isExternalTag(tag: string | null | undefined): boolean {
    return !isLegTag(tag) && !this.strategies.claimsTag(tag);
  }

  @OnAnyOrderEvent()
  async onOrderEvent(event: AnyOrderEvent): Promise<void> {
    const order = event.order;
    if (this.seen.has(order.orderId)) return;
    this.seen.add(order.orderId);
    // An order one of our GTTs fired carries no tag, but it is legwork's: linked to its chain, not external.
    if (!this.isExternalTag(order.tag) || (await this.gttOrders.legOf(order))) return;
    const batch = (this.pending ??= this.nextBatch());
    batch.rows.push({
      orderId: order.orderId,
      tag: order.tag ?? null,
      tradingsymbol: order.tradingsymbol ?? null,
      transactionType: order.transactionType ?? null,
      firstSource: event.source,
      tradingDay: istToday(),
    });
    this.holds.hold(event.eventId, batch.written);
  }

  /** Resolves once the first sights gathered so far are written (or their write failed). */
  async flushed(): Promise<void> {
    await this.pending?.written;
  }

  /** A graceful stop writes what is gathered (the database closes after the modules). */
  onModuleDestroy(): Promise<void> {
    return this.flushed();
  }

  private nextBatch(): { rows: ExternalOrderRow[]; written: Promise<void> } {
    const rows: ExternalOrderRow[] = [];
    const written = new Promise<void>((resolve) =>
      setImmediate(() => {
        if (this.pending?.rows === rows) this.pending = null;
        void this.record(rows).finally(resolve);
      }),
    );
    return { rows, written };
  }

  /** Writes a batch; never in the way of event delivery (the order itself is stored either way). Never throws. */
  private async record(rows: ExternalOrderRow[]): Promise<void> {
    try {
      const inserted = await this.store.recordExternalOrders(rows);
      const fresh = rows.filter((_, i) => inserted[i]); // the rest were recorded before (another instance, an earlier run)
      this.counter.inc(fresh.length);
      // A reconcile can bring thousands at once: one line for a crowd, a line each otherwise.
      if (fresh.length > 5) {
        this.logger.log(
          `${fresh.length} orders not placed by legwork tracked as external (first seen via ${[...new Set(fresh.map((r) => r.firstSource))].join(', ')}); no strategy acts on them unless it opts in`,
        );
        return;
      }
      fresh.forEach((row) => {
        this.logger.log(
          { orderId: row.orderId, tag: row.tag, source: row.firstSource },
          `order ${row.orderId} (${row.transactionType ?? '?'} ${row.tradingsymbol ?? '?'}${row.tag ? `, tag ${row.tag}` : ', no tag'}) ` +
            `was not placed by legwork: tracked as external; no strategy acts on it unless it opts in`,
        );
      });
    } catch (error) {
      for (const row of rows) this.seen.delete(row.orderId); // tried again on the order's next event
      this.logger.error(`external order(s) ${rows.map((r) => r.orderId).join(', ')} not recorded: ${errorText(error)}`);
    }
  }

  /** External orders first seen on a trading day (IST), newest first. */
  list(tradingDay = istToday()): Promise<ExternalOrder[]> {
    return this.externals.find({ where: { tradingDay }, order: { firstSeenAt: 'DESC' } });
  }
}
