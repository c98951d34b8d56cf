import { Injectable, Logger } from '@nestjs/common';
import type { BatchEntry, OrderStateWrites, StoredOrder } from '../database/hot-path/hot-path.store';
import type { StoredOrderEventPayload } from '../events/order.events';
import type { OrderSnapshot } from '../events/order-snapshot';
import { ORDER_SNAPSHOT_KEYS } from '../events/order-snapshot';
import type { Order } from './entities/order.entity';
import { applyOrderUpdate } from './order-state.machine';
import { InvalidOrderUpdateError, OrderUpdate, toOrderUpdate, UpdateOutcome } from './order-update';

export interface ApplyResult {
  outcome: UpdateOutcome;
  orderId: string | null;
  events: number;
  note?: string;
}

/** What a batch stores, with the outcome per entry and its log lines (written once the batch has committed). */
export interface OrderStateDecision extends OrderStateWrites {
  results: ApplyResult[];
  /** The batch's log lines, for after the commit (a rolled-back batch logs nothing). */
  log(): void;
  /** Per event (same order as `events`): the stored payload as an object, so it is published without parsing it back. */
  payloads: StoredOrderEventPayload[];
}

export function snapshotOf(order: Order): OrderSnapshot {
  const snapshot = {} as Record<string, unknown>;
  for (const key of ORDER_SNAPSHOT_KEYS) snapshot[key] = order[key];
  return snapshot as unknown as OrderSnapshot;
}

/** The state of one order while a batch is decided: as stored, then as each entry of the batch leaves it. */
interface WorkingOrder {
  /** The stored version (optimistic lock), or null when the order is new in this batch. */
  storedVersion: number | null;
  state: OrderSnapshot;
  lastPayload: string;
  changed: boolean;
}

/**
 * Decides what a batch of inbox entries does to the order store: the pure state machine (order-state.machine.ts,
 * the one place that decides transitions and fills) applied entry by entry in memory, so several updates of one
 * order in a batch see each other. The result — each changed order once in its final state, the transitions
 * (order_events, also the outbox of domain events), the fill deltas and a mark per entry — is written by the
 * hot-path store in the same unit of work as the entries themselves. It is exactly what applying the entries one
 * at a time would store.
 */
@Injectable()
export class OrderStateService {
  private readonly logger = new Logger(OrderStateService.name);

  /** Pure apart from the log lines it defers; throws only on a bug (an unreadable entry is a `failed` mark). */
  decide(entries: readonly BatchEntry[], stored: ReadonlyMap<string, StoredOrder>): OrderStateDecision {
    const orders = new Map<string, WorkingOrder>();
    for (const [orderId, { state, version }] of stored) orders.set(orderId, { storedVersion: version, state, lastPayload: '', changed: false });
    const decision: OrderStateDecision = { marks: [], orders: [], events: [], fills: [], results: [], payloads: [], log: () => undefined };
    const logLines: Array<() => void> = [];
    /** Updates replayed in bulk (a reconcile, a replay) are logged as one line per batch, not one per update. */
    const bulk = { applied: 0, ignored: 0, orders: new Set<string>(), events: 0, sources: new Set<string>() };
    const inBulk = (source: string) => source === 'reconcile' || source === 'replay';

    entries.forEach((entry, i) => {
      const update = entry.update ?? readUpdate(entry.rawBody);
      if (update instanceof Error) {
        // Kept, not lost: the raw body stays in the inbox for inspection.
        decision.marks.push({ outcome: 'failed', note: `unreadable update: ${update.message}` });
        decision.results.push({ outcome: 'failed', orderId: entry.orderId, events: 0, note: update.message });
        return;
      }
      const working = orders.get(update.orderId);
      const transition = applyOrderUpdate(working?.state ?? null, update);
      if (transition.kind === 'ignored') {
        decision.marks.push({ outcome: 'ignored', note: transition.reason });
        if (inBulk(entry.source)) {
          bulk.ignored++;
          bulk.sources.add(entry.source);
        } else {
          logLines.push(() => this.logger.log({ orderId: update.orderId }, `order ${update.orderId}: ${entry.source} update ignored (${transition.reason})`));
        }
        decision.results.push({ outcome: 'ignored', orderId: update.orderId, events: 0, note: transition.reason });
        return;
      }
      const { next } = transition;
      if (working) Object.assign(working, { state: next, lastPayload: entry.rawBody, changed: true });
      else orders.set(next.orderId, { storedVersion: null, state: next, lastPayload: entry.rawBody, changed: true });

      let fillEvent: number | null = null;
      for (const pending of transition.events) {
        const payload: StoredOrderEventPayload = { order: next, fill: pending.fill, reason: pending.reason, changes: pending.changes };
        if (pending.fill) fillEvent = decision.events.length;
        decision.payloads.push(payload);
        decision.events.push({
          entry: i,
          orderId: next.orderId,
          type: pending.name,
          status: next.status,
          filledQuantity: next.filledQuantity,
          source: entry.source,
          payload: JSON.stringify(payload),
        });
      }
      if (transition.fill) {
        decision.fills.push({
          event: fillEvent,
          orderId: next.orderId,
          tradingsymbol: next.tradingsymbol,
          transactionType: next.transactionType,
          quantity: transition.fill.quantity,
          price: transition.fill.price,
          cumulativeQuantity: transition.fill.cumulativeQuantity,
          exchangeTimestamp: transition.fillTime, // when the fill happened (Kite's exchange_timestamp is the order's registration)
        });
      }
      decision.marks.push({ outcome: 'applied', note: transition.note ?? null });
      const note = transition.note;
      if (inBulk(entry.source)) {
        bulk.applied++;
        bulk.orders.add(next.orderId);
        bulk.events += transition.events.length;
        bulk.sources.add(entry.source);
        if (note) logLines.push(() => this.logger.warn({ orderId: next.orderId }, `order ${next.orderId}: ${note}`));
      } else {
        logLines.push(() => {
          if (note) this.logger.warn({ orderId: next.orderId }, `order ${next.orderId}: ${note}`);
          const names = transition.events.map((e) => e.name).join(', ');
          this.logger.log(
            { orderId: next.orderId, tag: next.tag },
            `order ${next.orderId} ${next.tradingsymbol ?? ''} ${next.status} filled ${next.filledQuantity}/${next.quantity} via ${entry.source}: ${names}`,
          );
        });
      }
      decision.results.push({ outcome: 'applied', orderId: next.orderId, events: transition.events.length });
    });

    for (const order of orders.values()) {
      if (order.changed) decision.orders.push({ state: order.state, lastPayload: order.lastPayload, storedVersion: order.storedVersion });
    }
    if (bulk.applied + bulk.ignored > 0) {
      logLines.push(() =>
        this.logger.log(
          `${[...bulk.sources].join('+')}: ${bulk.applied} update(s) applied to ${bulk.orders.size} order(s) (${bulk.events} event(s)), ${bulk.ignored} already known`,
        ),
      );
    }
    decision.log = () => {
      for (const line of logLines) line();
    };
    return decision;
  }
}

/** The entry's update, or the reason it cannot be read (a malformed body is recorded, not retried). */
function readUpdate(rawBody: string): OrderUpdate | Error {
  try {
    return toOrderUpdate(JSON.parse(rawBody) as Record<string, unknown>);
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof InvalidOrderUpdateError) return error;
    throw error;
  }
}
