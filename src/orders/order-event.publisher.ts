import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { errorText } from '../common/error-text';
import { HOT_PATH_STORE, HotPathStore } from '../database/hot-path/hot-path.store';
import { hydrateOrderEvent, StoredOrderEventPayload } from '../events/order.events';
import type { OrderEventSource } from '../events/order-snapshot';
import { Metric } from '../metrics/metrics';
import { DeliveryHolds } from './delivery-holds';

/** Outbox rows read at a time. */
const PAGE = 100;
/**
 * Dispatched marks are written this long after the first unmarked publish, many in one go: one commit per burst
 * instead of one per event. A crash before then re-publishes those events at the next start, which at-least-once
 * delivery allows for.
 */
const MARKS_DELAY_MS = 100;

/** An event just committed to order_events, with its payload still in memory. */
export interface CommittedEvent {
  id: number;
  type: string;
  source: OrderEventSource;
  orderId: string;
  payload: StoredOrderEventPayload;
}

/**
 * Publishes stored order events (the outbox) on the event bus, oldest first, and marks each dispatched after its
 * handlers have run — or, for a handler that outlived its timeout, once it has finished (DeliveryHolds). A crash in
 * between means the event is published again on restart: at-least-once delivery, which strategies turn into
 * exactly-once effects with their unique leg-intent keys.
 *
 * Events the ingestion pipeline has just committed are handed over in memory (publishCommitted) and published
 * without being read back; publishPending reads what is in the table and not in hand (after a start, a failure, or
 * rows written by another process). The marks are this publisher's own: written in batches, off the hot path.
 */
@Injectable()
export class OrderEventPublisher {
  private readonly logger = new Logger(OrderEventPublisher.name);
  /** Serialises publishing within this process so events reach handlers in commit order. */
  private chain: Promise<unknown> = Promise.resolve();
  /** Handed over or read, not yet published. */
  private readonly queued = new Set<number>();
  /** Published, dispatched mark not yet committed. */
  private readonly unmarked = new Set<number>();
  /** Published while a handler still runs (see DeliveryHolds): not marked until it is done. */
  private readonly held = new Set<number>();
  private marksTimer: NodeJS.Timeout | undefined;
  private marking: Promise<void> = Promise.resolve();

  constructor(
    @Inject(HOT_PATH_STORE) private readonly store: HotPathStore,
    private readonly bus: EventEmitter2,
    private readonly holds: DeliveryHolds,
    @InjectMetric(Metric.EventsPublished) private readonly published: Counter<string>,
  ) {}

  /** Publish events just committed, in order, from memory. Resolves once their handlers ran (or timed out). */
  publishCommitted(events: readonly CommittedEvent[]): Promise<void> {
    if (events.length === 0) return this.chain.then(() => undefined);
    for (const event of events) this.queued.add(event.id);
    const run = this.chain.then(() => this.emitAll(events));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Publish every stored, undispatched event not already in hand, oldest first. Returns how many. */
  publishPending(): Promise<number> {
    const run = this.chain.then(() => this.drain());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Resolves once everything handed over so far has been published. */
  idle(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  /** Writes the marks of everything published so far (shutdown, tests). */
  async flushMarks(): Promise<void> {
    clearTimeout(this.marksTimer);
    this.marksTimer = undefined;
    await this.writeMarks();
  }

  private async drain(): Promise<number> {
    let published = 0;
    for (;;) {
      const skip = new Set([...this.queued, ...this.unmarked, ...this.held]);
      const rows = await this.store.undispatched(PAGE, skip);
      if (rows.length === 0) return published;
      for (const row of rows) this.queued.add(row.id);
      await this.emitAll(
        rows.map((row) => ({
          id: row.id,
          type: row.type,
          source: row.source,
          orderId: row.orderId,
          payload: JSON.parse(row.payload) as StoredOrderEventPayload,
        })),
      );
      published += rows.length;
      if (rows.length < PAGE) return published;
    }
  }

  private async emitAll(events: readonly CommittedEvent[]): Promise<void> {
    for (const record of events) {
      try {
        const event = hydrateOrderEvent(record.id, record.type, record.source, record.payload);
        await this.bus.emitAsync(record.type, event);
      } catch (error) {
        // Listeners are expected to contain their own failures; one that escapes must not stall the outbox.
        this.logger.error({ orderId: record.orderId, event: record.type }, `listener failed on ${record.type}: ${errorText(error)}`);
      }
      this.queued.delete(record.id);
      this.published.inc({ type: record.type });
      const release = this.holds.released(record.id);
      if (!release) {
        this.markLater(record.id);
        continue;
      }
      this.held.add(record.id);
      void release.then(() => {
        this.held.delete(record.id);
        this.markLater(record.id);
      });
    }
  }

  private markLater(id: number): void {
    this.unmarked.add(id);
    if (this.marksTimer) return;
    this.marksTimer = setTimeout(() => {
      this.marksTimer = undefined;
      this.writeMarks().catch((error) => {
        this.logger.warn(`dispatched marks not written yet (${errorText(error)}); retried shortly`);
        const [first] = this.unmarked;
        if (first !== undefined) this.markLater(first);
      });
    }, MARKS_DELAY_MS);
    this.marksTimer.unref();
  }

  /** One unit of work for the marks gathered; on failure they stay for the next round. */
  private writeMarks(): Promise<void> {
    this.marking = this.marking
      .catch(() => undefined)
      .then(async () => {
        const ids = [...this.unmarked];
        if (ids.length === 0) return;
        await this.store.markDispatched(ids);
        for (const id of ids) this.unmarked.delete(id);
      });
    return this.marking;
  }
}
