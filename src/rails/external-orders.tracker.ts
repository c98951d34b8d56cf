import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { Repository } from 'typeorm';
import { isLegTag } from '../broker/leg-tag';
import { errorText } from '../common/error-text';
import { isUniqueViolation } from '../database/unique-violation';
import { WriteTransactions } from '../database/write-transactions';
import { OnAnyOrderEvent } from '../events/on-any-order-event';
import { GttOrderLinker } from '../gtt/gtt-order-linker';
import type { AnyOrderEvent } from '../events/order.events';
import { Metric } from '../metrics/metrics';
import { StrategyHost } from '../strategy-host/strategy-host.service';
import { istToday } from '../trade-log/trade-log.service';
import { ExternalOrder } from './entities/external-order.entity';

/**
 * Marks orders nobody placed through legwork as external: every order event (from postbacks, the WebSocket stream or
 * reconciliation) whose order carries no leg tag and no tag a running strategy's handlers ask for, and is not the
 * order a GTT of ours fired (those carry no tag; see GttOrderLinker). The order's state
 * is stored like any other; this only records that it is external. Strategies still never see it (the strategy host
 * delivers it only to handlers with `external: true`).
 */
@Injectable()
export class ExternalOrdersTracker {
  private readonly logger = new Logger('ExternalOrders');
  /** Orders already known to be external (or known not to be): saves a write per event. An accelerator only. */
  private readonly seen = new Set<string>();

  constructor(
    @InjectRepository(ExternalOrder) private readonly externals: Repository<ExternalOrder>,
    private readonly writes: WriteTransactions,
    private readonly strategies: StrategyHost,
    @InjectMetric(Metric.ExternalOrders) private readonly counter: Counter<string>,
    // Provided globally by the strategy host's module (the order a GTT of ours fired carries no tag, yet is ours).
    private readonly gttOrders: GttOrderLinker,
  ) {}

  isExternalTag(tag: string | null | undefined): boolean {
    return !isLegTag(tag) && !this.strategies.claimsTag(tag);
  }

  @OnAnyOrderEvent()
  async onOrderEvent(event: AnyOrderEvent): Promise<void> {
    const order = event.order;
    if (this.seen.has(order.orderId)) return;
    if (!this.isExternalTag(order.tag) || (await this.gttOrders.legOf(order))) {
      this.seen.add(order.orderId);
      return;
    }
    try {
      const inserted = await this.writes.run(
        async (m) => {
          if (await m.existsBy(ExternalOrder, { orderId: order.orderId })) return false;
          await m.insert(ExternalOrder, {
            orderId: order.orderId,
            tag: order.tag ?? null,
            tradingsymbol: order.tradingsymbol ?? null,
            transactionType: order.transactionType ?? null,
            firstSource: event.source,
            tradingDay: istToday(),
          });
          return true;
        },
        { durable: false },
      );
      this.seen.add(order.orderId);
      if (inserted) {
        this.counter.inc();
        this.logger.log(
          { orderId: order.orderId, tag: order.tag ?? null, source: event.source },
          `order ${order.orderId} (${order.transactionType ?? '?'} ${order.tradingsymbol ?? '?'}${order.tag ? `, tag ${order.tag}` : ', no tag'}) ` +
            `was not placed by legwork: tracked as external; no strategy acts on it unless it opts in`,
        );
      }
    } catch (error) {
      if (isUniqueViolation(error)) return; // another instance recorded it first
      // Never in the way of event delivery: the order itself is stored either way.
      this.logger.error(`external order ${order.orderId} not recorded: ${errorText(error)}`);
    }
  }

  /** External orders first seen on a trading day (IST), newest first. */
  list(tradingDay = istToday()): Promise<ExternalOrder[]> {
    return this.externals.find({ where: { tradingDay }, order: { firstSeenAt: 'DESC' } });
  }
}
