import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { errorText } from '../common/error-text';
import { HOT_PATH_STORE, HotPathStore, InboxIntake } from '../database/hot-path/hot-path.store';
import { Leadership } from '../leadership/leadership';
import { Metric } from '../metrics/metrics';
import { CommittedEvent, OrderEventPublisher } from '../orders/order-event.publisher';
import { OrderStateDecision, OrderStateService } from '../orders/order-state.service';
import { OrderUpdate, toOrderUpdate } from '../orders/order-update';
import { dedupKeyOf } from './dedup-key';
import type { InboxSource } from './inbox-entry.entity';

/** A row of Kite's order book to store, and whether it advances its order beyond what the store held at the read. */
export interface ReconcileRow {
  row: Record<string, unknown>;
  advances: boolean;
}

export interface AcceptedUpdate {
  duplicate: boolean;
  orderId: string;
}

interface Pending {
  intake: InboxIntake;
  resolve(result: AcceptedUpdate): void;
  reject(error: unknown): void;
}

/** Most entries written in one commit; bounds the latency a single flush adds. */
const MAX_BATCH = 500;

/**
 * The ingestion pipeline: an update is committed to the inbox before anyone is told it was received, and — once the
 * processor has worked what a start left over — applied in the same unit of work (order state, events, fills, the
 * inbox mark), then published from memory. One parse per update (at ingress), one commit per batch, no read-back.
 *
 * Group commit: updates arriving together are written in one transaction and each caller is answered only once that
 * commit is on stable storage (its fdatasync runs off the event loop, so the next batch is already being taken).
 * Repeats are recognised by the unique dedup key, within a batch and against the table. An update whose order still
 * has an older entry pending, or whose applying failed, is committed pending and left to the InboxProcessor.
 */
@Injectable()
export class InboxService {
  private readonly logger = new Logger(InboxService.name);
  private queue: Pending[] = [];
  private flushScheduled = false;
  private flushing = 0;
  /** Batches handed to the store and not yet committed. */
  private committing = 0;
  private flushAfterCommit = false;
  private flushWaiters: Array<() => void> = [];
  /** Off until the processor's first pass: after a start, strategies see the recovered backlog before new updates. */
  private applyOnIntake = false;
  private pendingLeft: () => void = () => undefined;
  /** Entries were stored pending since the processor last said it had drained the inbox. */
  private leftPending = false;
  private readonly decide = (entries: Parameters<OrderStateService['decide']>[0], orders: Parameters<OrderStateService['decide']>[1]) =>
    this.orderState.decide(entries, orders);

  constructor(
    @Inject(HOT_PATH_STORE) private readonly store: HotPathStore,
    private readonly orderState: OrderStateService,
    private readonly publisher: OrderEventPublisher,
    @InjectMetric(Metric.InboxProcessed) private readonly processed: Counter<string>,
    @Optional() private readonly leadership?: Leadership,
  ) {}

  /**
   * Store one update (raw text kept verbatim); resolves once it is on disk, with duplicate=true for a repeat.
   * `update` is the payload as parsed at ingress (parsed here when not given).
   */
  accept(rawBody: string, payload: Record<string, unknown>, source: InboxSource, update: OrderUpdate = toOrderUpdate(payload)): Promise<AcceptedUpdate> {
    return new Promise((resolve, reject) => {
      this.queue.push({ intake: { dedupKey: dedupKeyOf(update), source, orderId: update.orderId, rawBody, update }, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /**
   * Store updates derived from Kite's order book (reconcile), pending, in order, without an fsync of their own:
   * Kite still holds every one of them, and the next reconcile writes again whatever a power cut took. The dedup key
   * decides what is new, as for every update; with `liveSince`, rows of orders a live update reached during the read
   * are left out unless they advance the order (HotPathStore.storeReconciled). Returns how many were written and how
   * many orders were overtaken.
   */
  storeReconciled(rows: ReadonlyArray<ReconcileRow>, liveSince?: number): Promise<{ written: number; overtaken: number }> {
    return this.store.storeReconciled(
      rows.map(({ row, advances }) => {
        const update = toOrderUpdate(row);
        return { dedupKey: dedupKeyOf(update), source: 'reconcile' as const, orderId: update.orderId, rawBody: JSON.stringify(row), advances };
      }),
      liveSince,
    );
  }

  /** The newest inbox id: what the inbox knew before Kite's book was read (see storeReconciled). */
  lastInboxId(): Promise<number> {
    return this.store.lastInboxId();
  }

  /**
   * Resolves once the updates waiting for their commit now have been committed (or at once if none is waiting).
   * The processor awaits this before each chunk, so acknowledgements go first and background work fills the gaps.
   * It waits for the next flush only, never for the intake to fall idle, so a steady stream cannot starve processing.
   */
  whenFlushed(): Promise<void> {
    if (!this.flushScheduled && this.flushing === 0) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push(resolve));
  }

  countPending(): Promise<number> {
    return this.store.countPending();
  }

  /** Called by the processor: after its first pass, updates are applied as they are stored; `left` is told when some are not. */
  applyOnArrival(left: () => void): void {
    this.pendingLeft = left;
    this.applyOnIntake = true;
    if (this.leftPending) {
      this.leftPending = false;
      left();
    }
  }

  private async flush(): Promise<void> {
    // A server database (round trips per unit of work): while one batch is being committed, the next one grows.
    if (this.store.oneBatchAtATime && this.committing > 0) {
      this.flushScheduled = true;
      this.flushAfterCommit = true;
      return;
    }
    const batch = this.queue.splice(0, MAX_BATCH);
    this.flushScheduled = this.queue.length > 0;
    if (this.flushScheduled) setImmediate(() => void this.flush());
    if (batch.length === 0) return this.notifyFlushed();
    this.flushing++;
    this.committing++;
    try {
      const { outcome, durable } = await this.store
        .ingest(
          batch.map((item) => item.intake),
          // Only while leading: an instance that stopped leading (paused past its lease) stores, and applies nothing.
          { decide: this.applyOnIntake && (this.leadership?.isLeader() ?? true) ? this.decide : null, durable: true },
        )
        .finally(() => this.committed());
      // Committed (not yet on stable storage): derived work may start; whatever it writes durably syncs after this.
      if (outcome.applied) this.publish(outcome.applied.writes, outcome.applied.eventIds);
      if (outcome.applyError) {
        this.logger.error(`applying ${batch.length} update(s) on arrival failed (${errorText(outcome.applyError)}); stored, the processor retries them`);
      }
      if (outcome.pending > 0) {
        this.leftPending = true;
        this.pendingLeft();
      }
      await durable;
      batch.forEach((item, i) => {
        const duplicate = outcome.duplicates[i];
        if (duplicate) this.logger.log({ orderId: item.intake.orderId }, `duplicate ${item.intake.source} update for order ${item.intake.orderId} absorbed`);
        item.resolve({ duplicate, orderId: item.intake.orderId });
      });
    } catch (error) {
      // Not on stable storage (or not committed at all), so nobody is acknowledged: every caller gets the error.
      batch.forEach((item) => item.reject(error));
    } finally {
      this.flushing--;
      this.notifyFlushed();
    }
  }

  /** A batch's commit returned: a flush held back meanwhile runs now. */
  private committed(): void {
    this.committing--;
    if (this.committing > 0 || !this.flushAfterCommit) return;
    this.flushAfterCommit = false;
    setImmediate(() => void this.flush());
  }

  private publish(decision: OrderStateDecision, eventIds: number[]): void {
    decision.log();
    for (const result of decision.results) this.processed.inc({ outcome: result.outcome });
    const events: CommittedEvent[] = decision.events.map((e, i) => ({
      id: eventIds[i],
      type: e.type,
      source: e.source,
      orderId: e.orderId,
      payload: decision.payloads[i],
    }));
    this.publisher.publishCommitted(events).catch((error) => this.logger.error(`publishing failed: ${errorText(error)}; published again at the next start`));
  }

  private notifyFlushed(): void {
    if (this.flushWaiters.length === 0) return;
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
