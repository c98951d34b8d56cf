import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { WriteTransactions } from '../database/write-transactions';
import type { StoredOrderEventPayload } from '../events/order.events';
import type { OrderSnapshot } from '../events/order-snapshot';
import { InboxEntry, InboxOutcome } from '../inbox/inbox-entry.entity';
import { Fill } from './entities/fill.entity';
import { OrderEventRecord } from './entities/order-event.entity';
import { Order } from './entities/order.entity';
import { applyOrderUpdate } from './order-state.machine';
import { InvalidOrderUpdateError, toOrderUpdate } from './order-update';

export interface ApplyResult {
  outcome: InboxOutcome | 'skipped';
  orderId: string | null;
  events: number;
  note?: string;
}

/** Another writer changed the order or the inbox row between read and write; the entry is simply retried. */
export class ConcurrentUpdateError extends Error {}

const SNAPSHOT_KEYS: ReadonlyArray<keyof OrderSnapshot> = [
  'orderId', 'status', 'statusMessage', 'exchange', 'tradingsymbol', 'transactionType', 'orderType', 'product',
  'variety', 'tag', 'quantity', 'filledQuantity', 'pendingQuantity', 'cancelledQuantity', 'price', 'triggerPrice',
  'averagePrice', 'orderTimestamp', 'exchangeUpdateTimestamp',
];

export function snapshotOf(order: Order): OrderSnapshot {
  const snapshot = {} as Record<string, unknown>;
  for (const key of SNAPSHOT_KEYS) snapshot[key] = order[key];
  return snapshot as unknown as OrderSnapshot;
}

/**
 * Applies inbox entries to the order store. One entry = one transaction: the order row, its transitions
 * (order_events, which are also the outbox of domain events), the fill delta and the inbox mark commit together.
 */
@Injectable()
export class OrderStateService {
  private readonly logger = new Logger(OrderStateService.name);

  constructor(private readonly writes: WriteTransactions) {}

  applyEntry(entry: InboxEntry): Promise<ApplyResult> {
    return this.writes.run((manager) => this.applyInTransaction(manager, entry), { durable: false });
  }

  // Order state is derived from the (durable) inbox: should a commit here be lost to a power cut, the entry is
  // simply unprocessed again at the next start. So these commits skip their own fsync.

  /**
   * Apply several entries in one transaction (one commit, one fsync), in order. All or nothing: if any entry
   * fails, none is applied and the caller retries them one by one.
   */
  applyEntries(entries: InboxEntry[]): Promise<ApplyResult[]> {
    return this.writes.run(async (manager) => {
      const results: ApplyResult[] = [];
      for (const entry of entries) results.push(await this.applyInTransaction(manager, entry));
      return results;
    }, { durable: false });
  }

  private async applyInTransaction(manager: EntityManager, entry: InboxEntry): Promise<ApplyResult> {
    let payload: Record<string, unknown>;
    let update;
    try {
      payload = JSON.parse(entry.rawBody) as Record<string, unknown>;
      update = toOrderUpdate(payload);
    } catch (error) {
      if (!(error instanceof SyntaxError || error instanceof InvalidOrderUpdateError)) throw error;
      // Kept, not lost: the raw body stays in the inbox for inspection.
      await this.markProcessed(manager, entry, 'failed', `unreadable update: ${error.message}`);
      return { outcome: 'failed', orderId: entry.orderId, events: 0, note: error.message };
    }

    const existing = await manager.findOne(Order, { where: { orderId: update.orderId } });
    const transition = applyOrderUpdate(existing ? snapshotOf(existing) : null, update);

    if (transition.kind === 'ignored') {
      await this.markProcessed(manager, entry, 'ignored', transition.reason);
      this.logger.log({ orderId: update.orderId }, `order ${update.orderId}: ${entry.source} update ignored (${transition.reason})`);
      return { outcome: 'ignored', orderId: update.orderId, events: 0, note: transition.reason };
    }

    const { next } = transition;
    const row = { ...next, lastPayload: entry.rawBody };
    if (existing) {
      const result = await manager
        .createQueryBuilder()
        .update(Order)
        .set(row)
        .where('orderId = :orderId AND version = :version', { orderId: next.orderId, version: existing.version })
        .execute();
      if (!result.affected) throw new ConcurrentUpdateError(`order ${next.orderId} changed concurrently`);
    } else {
      await manager.insert(Order, row);
    }

    let fillEventId: number | null = null;
    for (const pending of transition.events) {
      const stored: StoredOrderEventPayload = { order: next, fill: pending.fill, reason: pending.reason, changes: pending.changes };
      const inserted = await manager.insert(OrderEventRecord, {
        orderId: next.orderId,
        type: pending.name,
        status: next.status,
        filledQuantity: next.filledQuantity,
        source: entry.source,
        inboxId: entry.id,
        payload: JSON.stringify(stored),
      });
      if (pending.fill) fillEventId = inserted.identifiers[0].id as number;
    }
    if (transition.fill) {
      await manager.insert(Fill, {
        orderId: next.orderId,
        tradingsymbol: next.tradingsymbol,
        transactionType: next.transactionType,
        quantity: transition.fill.quantity,
        price: transition.fill.price,
        cumulativeQuantity: transition.fill.cumulativeQuantity,
        exchangeTimestamp: update.exchangeTimestamp ?? update.exchangeUpdateTimestamp,
        orderEventId: fillEventId,
      });
    }
    if (transition.note) this.logger.warn({ orderId: next.orderId }, `order ${next.orderId}: ${transition.note}`);
    await this.markProcessed(manager, entry, 'applied', transition.note ?? null);
    const names = transition.events.map((e) => e.name).join(', ');
    this.logger.log(
      { orderId: next.orderId, tag: next.tag },
      `order ${next.orderId} ${next.tradingsymbol ?? ''} ${next.status} filled ${next.filledQuantity}/${next.quantity} via ${entry.source}: ${names}`,
    );
    return { outcome: 'applied', orderId: next.orderId, events: transition.events.length };
  }

  /** Marks the entry done only if nobody else did; otherwise the whole transaction rolls back. */
  private async markProcessed(manager: EntityManager, entry: InboxEntry, outcome: InboxOutcome, note: string | null) {
    const result = await manager
      .createQueryBuilder()
      .update(InboxEntry)
      .set({ processedAt: new Date(), outcome, note, attempts: entry.attempts + 1 })
      .where('id = :id AND processedAt IS NULL', { id: entry.id })
      .execute();
    if (!result.affected) throw new ConcurrentUpdateError(`inbox entry ${entry.id} already processed`);
  }
}
