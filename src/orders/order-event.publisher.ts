import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
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

  publishPending(): Promise<number> {
    this.chain = this.chain.then(
      () => this.drain(),
      () => this.drain(),
    );
    return this.chain;
  }

  private async drain(): Promise<number> {
    let published = 0;
    for (;;) {
      const batch = await this.records.find({ where: { dispatchedAt: IsNull() }, order: { id: 'ASC' }, take: PAGE });
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
        // One write for the batch. A crash before it means these events are published again (at-least-once).
        if (done.length > 0) {
          // A parameterised IN (m.update with ids inlines them into the SQL text, a new statement every time).
          await this.writes.run(
            (m) => m.createQueryBuilder().update(OrderEventRecord).set({ dispatchedAt: new Date() }).where({ id: In(done) }).execute(),
            { durable: false },
          );
          published += done.length;
        }
      }
      // A short page was the end of the outbox (as of this read): no need to ask again.
      if (batch.length < PAGE) return published;
    }
  }
}
