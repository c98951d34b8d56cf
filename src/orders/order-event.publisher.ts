import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, IsNull, Repository } from 'typeorm';
import { WriteTransactions } from '../database/write-transactions';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { errorText } from '../common/error-text';
import { Metric } from '../metrics/metrics';
import { hydrateOrderEvent, StoredOrderEventPayload } from '../events/order.events';
import { OrderEventRecord } from './entities/order-event.entity';

/** Outbox rows read (and marked) at a time. */
const PAGE = 100;

/**
 * Publishes stored order events (the outbox) on the event bus, oldest first, and marks each dispatched after its
 * handlers have run. A crash in between means the event is published again on restart: at-least-once delivery,
 * which strategies turn into exactly-once effects with their unique leg-intent keys.
 */
@Injectable()
export class OrderEventPublisher {
  private readonly logger = new Logger(OrderEventPublisher.name);
  /** Serialises publishing within this process so events of one order reach handlers in order. */
  private chain: Promise<number> = Promise.resolve(0);

  constructor(
    @InjectRepository(OrderEventRecord) private readonly records: Repository<OrderEventRecord>,
    private readonly bus: EventEmitter2,
    private readonly writes: WriteTransactions,
    @InjectMetric(Metric.EventsPublished) private readonly published: Counter<string>,
  ) {}

  /** Ids emitted by this process whose dispatched mark is not committed yet (deferred marks, see publishPending). */
  private readonly unmarked = new Set<number>();

  /**
   * Publish every stored, undispatched event, oldest first. Marks are written after the handlers ran, in one write
   * per page; with `deferMarks` they are left for the caller to write inside its next transaction (markDispatched,
   * then confirmMarked) or with flushMarks — one commit fewer per processed chunk. Until then only this process
   * knows they went out; a crash before the mark means they are published again at the next start (at-least-once).
   */
  publishPending(options: { deferMarks?: boolean } = {}): Promise<number> {
    this.chain = this.chain.then(
      () => this.drain(options.deferMarks ?? false),
      () => this.drain(options.deferMarks ?? false),
    );
    return this.chain;
  }

  /** Ids published but not yet marked, for markDispatched in the caller's transaction. */
  unmarkedIds(): number[] {
    return [...this.unmarked];
  }

  /** Marks events dispatched within the caller's transaction. */
  async markDispatched(manager: EntityManager, ids: number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += PAGE) {
      await manager.createQueryBuilder().update(OrderEventRecord).set({ dispatchedAt: new Date() }).where({ id: In(ids.slice(i, i + PAGE)) }).execute();
    }
  }

  /** The transaction that ran markDispatched(ids) committed. */
  confirmMarked(ids: number[]): void {
    for (const id of ids) this.unmarked.delete(id);
  }

  /** Writes any deferred marks on their own. */
  async flushMarks(): Promise<void> {
    const ids = this.unmarkedIds();
    if (ids.length === 0) return;
    await this.writes.run((m) => this.markDispatched(m, ids), { durable: false });
    this.confirmMarked(ids);
  }

  private async drain(deferMarks: boolean): Promise<number> {
    let published = 0;
    for (;;) {
      // Rows already published but not yet marked are skipped (they are still undispatched in the table).
      const skip = this.unmarked.size;
      const rows = await this.records.find({ where: { dispatchedAt: IsNull() }, order: { id: 'ASC' }, take: PAGE + skip });
      const batch = skip === 0 ? rows : rows.filter((r) => !this.unmarked.has(r.id)).slice(0, PAGE);
      if (batch.length === 0) return published;
      const done: number[] = [];
      try {
        for (const record of batch) {
          const payload = JSON.parse(record.payload) as StoredOrderEventPayload;
          const event = hydrateOrderEvent(record.id, record.type, record.source, payload);
          try {
            await this.bus.emitAsync(record.type, event);
          } catch (error) {
            // Listeners are expected to contain their own failures; one that escapes must not stall the outbox.
            this.logger.error({ orderId: record.orderId, event: record.type }, `listener failed on ${record.type}: ${errorText(error)}`);
          }
          done.push(record.id);
          this.published.inc({ type: record.type });
        }
      } finally {
        for (const id of done) this.unmarked.add(id);
        published += done.length;
        // One write for the batch (unless deferred). A crash before it means these events are published again.
        if (!deferMarks) await this.flushMarks();
      }
      // A short page was the end of the outbox (as of this read): no need to ask again.
      if (rows.length < PAGE + skip) return published;
    }
  }
}
