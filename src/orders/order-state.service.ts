import { Injectable, Logger } from '@nestjs/common';
import { EntityManager, In, IsNull } from 'typeorm';
import { isUniqueViolation } from '../database/unique-violation';
import { WriteTransactions } from '../database/write-transactions';
import type { StoredOrderEventPayload } from '../events/order.events';
import type { OrderSnapshot } from '../events/order-snapshot';
import { InboxEntry, InboxOutcome } from '../inbox/inbox-entry.entity';
import { Fill } from './entities/fill.entity';
import { OrderEventRecord } from './entities/order-event.entity';
import { Order } from './entities/order.entity';
import { applyOrderUpdate } from './order-state.machine';
import { InvalidOrderUpdateError, OrderUpdate, toOrderUpdate } from './order-update';

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

/** Rows per multi-row statement: far below any database's bound-parameter limit (SQLite 32766, PostgreSQL 65535). */
const ROWS_PER_STATEMENT = 100;

/** The state of one order while a chunk is applied: as stored, then as each entry of the chunk leaves it. */
interface WorkingOrder {
  /** The stored version (optimistic lock), or null when the order is new in this chunk. */
  storedVersion: number | null;
  state: OrderSnapshot;
  lastPayload: string;
  changed: boolean;
}

type InboxMark = { outcome: InboxOutcome; note: string | null };

/**
 * Applies inbox entries to the order store. A chunk of entries is one transaction: the orders' rows, their
 * transitions (order_events, which are also the outbox of domain events), the fill deltas and the inbox marks
 * commit together, or not at all.
 *
 * The work is done in bulk, in a fixed number of statements per chunk whatever its size: one read of the chunk's
 * orders, the pure state machine applied entry by entry in memory (so several updates of one order in a chunk
 * see each other), then multi-row inserts of new orders, events and fills, one guarded update per changed order
 * (optimistic lock on its version) and one inbox mark per distinct outcome. The result is exactly what applying the
 * entries one at a time would store, with fewer round trips through the ORM and the database.
 */
@Injectable()
export class OrderStateService {
  private readonly logger = new Logger(OrderStateService.name);

  constructor(private readonly writes: WriteTransactions) {}

  // Order state is derived from the (durable) inbox: should a commit here be lost to a power cut, the entries are
  // simply unprocessed again at the next start. So these commits skip their own fsync.

  applyEntry(entry: InboxEntry): Promise<ApplyResult> {
    return this.applyEntries([entry]).then(([result]) => result);
  }

  /**
   * Apply several entries in one transaction, in order. All or nothing: if any entry fails, none is applied and
   * the caller retries them one by one. `alsoInTransaction` is more (derived) work committed with the chunk.
   */
  applyEntries(entries: InboxEntry[], alsoInTransaction?: (manager: EntityManager) => Promise<void>): Promise<ApplyResult[]> {
    if (entries.length === 0) return Promise.resolve([]);
    return this.writes.run(async (manager) => {
      const results = await this.applyInTransaction(manager, entries);
      // e.g. the outbox's deferred dispatched marks: one commit for both.
      if (alsoInTransaction) await alsoInTransaction(manager);
      return results;
    }, { durable: false });
  }

  private async applyInTransaction(manager: EntityManager, entries: InboxEntry[]): Promise<ApplyResult[]> {
    const updates = entries.map((entry) => readUpdate(entry));
    const orders = await this.loadOrders(manager, updates);

    const results: ApplyResult[] = [];
    const marks = new Map<number, InboxMark>();
    const events: Array<Partial<OrderEventRecord>> = [];
    /** Per fill: the index (in `events`) of the order.filled event it belongs to. */
    const fills: Array<{ row: Partial<Fill>; eventIndex: number }> = [];
    const logLines: Array<() => void> = [];

    entries.forEach((entry, i) => {
      const update = updates[i];
      if (update instanceof Error) {
        // Kept, not lost: the raw body stays in the inbox for inspection.
        marks.set(entry.id, { outcome: 'failed', note: `unreadable update: ${update.message}` });
        results.push({ outcome: 'failed', orderId: entry.orderId, events: 0, note: update.message });
        return;
      }
      const working = orders.get(update.orderId);
      const transition = applyOrderUpdate(working?.state ?? null, update);
      if (transition.kind === 'ignored') {
        marks.set(entry.id, { outcome: 'ignored', note: transition.reason });
        logLines.push(() =>
          this.logger.log({ orderId: update.orderId }, `order ${update.orderId}: ${entry.source} update ignored (${transition.reason})`),
        );
        results.push({ outcome: 'ignored', orderId: update.orderId, events: 0, note: transition.reason });
        return;
      }
      const { next } = transition;
      if (working) Object.assign(working, { state: next, lastPayload: entry.rawBody, changed: true });
      else orders.set(next.orderId, { storedVersion: null, state: next, lastPayload: entry.rawBody, changed: true });

      let fillEventIndex = -1;
      for (const pending of transition.events) {
        const stored: StoredOrderEventPayload = { order: next, fill: pending.fill, reason: pending.reason, changes: pending.changes };
        if (pending.fill) fillEventIndex = events.length;
        events.push({
          orderId: next.orderId,
          type: pending.name,
          status: next.status,
          filledQuantity: next.filledQuantity,
          source: entry.source,
          inboxId: entry.id,
          payload: JSON.stringify(stored),
        });
      }
      if (transition.fill) {
        fills.push({
          eventIndex: fillEventIndex,
          row: {
            orderId: next.orderId,
            tradingsymbol: next.tradingsymbol,
            transactionType: next.transactionType,
            quantity: transition.fill.quantity,
            price: transition.fill.price,
            cumulativeQuantity: transition.fill.cumulativeQuantity,
            exchangeTimestamp: next.exchangeUpdateTimestamp, // when the fill happened (Kite's exchange_timestamp is the order's registration)
          },
        });
      }
      marks.set(entry.id, { outcome: 'applied', note: transition.note ?? null });
      const note = transition.note;
      const names = transition.events.map((e) => e.name).join(', ');
      logLines.push(() => {
        if (note) this.logger.warn({ orderId: next.orderId }, `order ${next.orderId}: ${note}`);
        this.logger.log(
          { orderId: next.orderId, tag: next.tag },
          `order ${next.orderId} ${next.tradingsymbol ?? ''} ${next.status} filled ${next.filledQuantity}/${next.quantity} via ${entry.source}: ${names}`,
        );
      });
      results.push({ outcome: 'applied', orderId: next.orderId, events: transition.events.length });
    });

    await this.saveOrders(manager, [...orders.values()]);
    const eventIds = await this.insertEvents(manager, events);
    await this.insertRows(
      manager,
      Fill,
      fills.map(({ row, eventIndex }) => ({ ...row, orderEventId: eventIndex >= 0 ? eventIds[eventIndex] : null })),
    );
    await this.markProcessed(manager, marks);
    for (const line of logLines) line();
    return results;
  }

  /** One read for the chunk: the stored state of every order it touches. */
  private async loadOrders(manager: EntityManager, updates: Array<OrderUpdate | Error>): Promise<Map<string, WorkingOrder>> {
    const ids = [...new Set(updates.flatMap((u) => (u instanceof Error ? [] : [u.orderId])))];
    const orders = new Map<string, WorkingOrder>();
    for (let i = 0; i < ids.length; i += ROWS_PER_STATEMENT) {
      const stored = await manager.find(Order, { where: { orderId: In(ids.slice(i, i + ROWS_PER_STATEMENT)) } });
      for (const order of stored) {
        orders.set(order.orderId, { storedVersion: order.version, state: snapshotOf(order), lastPayload: order.lastPayload, changed: false });
      }
    }
    return orders;
  }

  /** New orders in multi-row inserts; each changed stored order in one update guarded by the version read. */
  private async saveOrders(manager: EntityManager, orders: WorkingOrder[]): Promise<void> {
    const fresh = orders.filter((o) => o.changed && o.storedVersion === null).map((o) => ({ ...o.state, lastPayload: o.lastPayload }));
    try {
      await this.insertRows(manager, Order, fresh);
    } catch (error) {
      // Another writer stored one of these orders since our read: retry against its state.
      if (isUniqueViolation(error)) throw new ConcurrentUpdateError(`an order of this chunk was stored concurrently`);
      throw error;
    }
    for (const order of orders) {
      if (!order.changed || order.storedVersion === null) continue;
      const { orderId } = order.state;
      const result = await manager
        .createQueryBuilder()
        .update(Order)
        .set({ ...order.state, lastPayload: order.lastPayload })
        .where({ orderId, version: order.storedVersion })
        .execute();
      if (!result.affected) throw new ConcurrentUpdateError(`order ${orderId} changed concurrently`);
    }
  }

  /** Inserts the events in order and returns their ids (needed by the fills that point at their event). */
  private async insertEvents(manager: EntityManager, rows: Array<Partial<OrderEventRecord>>): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const result = await manager.createQueryBuilder().insert().into(OrderEventRecord).values(rows.slice(i, i + ROWS_PER_STATEMENT)).execute();
      for (const identifier of result.identifiers) ids.push(identifier.id as number);
    }
    return ids;
  }

  /** Multi-row insert without reading anything back (no generated value of these rows is needed). */
  private async insertRows<T extends object>(manager: EntityManager, target: new () => T, rows: Array<Partial<T>>): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(target)
        .values(rows.slice(i, i + ROWS_PER_STATEMENT) as never)
        .updateEntity(false)
        .execute();
    }
  }

  /**
   * Marks the entries done, one update per distinct (outcome, note), only where nobody else did: if any entry was
   * already processed, the whole transaction rolls back.
   */
  private async markProcessed(manager: EntityManager, marks: Map<number, InboxMark>): Promise<void> {
    const groups = new Map<string, { mark: InboxMark; ids: number[] }>();
    for (const [id, mark] of marks) {
      const key = `${mark.outcome}\u0000${mark.note ?? ''}\u0000${mark.note === null}`;
      const group = groups.get(key) ?? groups.set(key, { mark, ids: [] }).get(key)!;
      group.ids.push(id);
    }
    const processedAt = new Date();
    for (const { mark, ids } of groups.values()) {
      for (let i = 0; i < ids.length; i += ROWS_PER_STATEMENT) {
        const slice = ids.slice(i, i + ROWS_PER_STATEMENT);
        const result = await manager
          .createQueryBuilder()
          .update(InboxEntry)
          .set({ processedAt, outcome: mark.outcome, note: mark.note, attempts: () => 'attempts + 1' })
          .where({ id: In(slice), processedAt: IsNull() })
          .execute();
        if (result.affected !== slice.length) throw new ConcurrentUpdateError(`an inbox entry of this chunk was already processed`);
      }
    }
  }
}

/** The entry's update, or the reason it cannot be read (a malformed body is recorded, not retried). */
function readUpdate(entry: InboxEntry): OrderUpdate | Error {
  try {
    return toOrderUpdate(JSON.parse(entry.rawBody) as Record<string, unknown>);
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof InvalidOrderUpdateError) return error;
    throw error;
  }
}
