import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitterReadinessWatcher } from '@nestjs/event-emitter';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { errorText } from '../common/error-text';
import { Metric } from '../metrics/metrics';
import { OrderEventPublisher } from '../orders/order-event.publisher';
import { ConcurrentUpdateError, OrderStateService } from '../orders/order-state.service';
import { InboxEntry } from './inbox-entry.entity';
import { InboxService } from './inbox.service';

/** After this many failed attempts an entry is parked as failed (its raw body stays) instead of blocking the rest. */
const MAX_ATTEMPTS = 5;
const BATCH = 200;
/** Entries applied per transaction: amortises the commit's fsync under load. */
const APPLY_CHUNK = 50;
const SHUTDOWN_DRAIN_MS = 10_000;
/**
 * Dispatched marks left after a pass are written this long after it, unless the next chunk's transaction takes them
 * first (back-to-back postbacks): one commit fewer per postback. A crash before then re-publishes those events at the
 * next start, which at-least-once delivery already allows for.
 */
const MARKS_DELAY_MS = 100;

/**
 * Works the inbox behind the HTTP answer: applies pending entries in arrival order, then publishes their events.
 * Started at boot so entries acknowledged before a crash are processed; kicked after each accepted postback.
 * The `running` flag only avoids two loops in one process; correctness comes from the database (see OrderStateService).
 */
@Injectable()
export class InboxProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(InboxProcessor.name);
  private running: Promise<void> | null = null;
  private again = false;
  /** False until the outbox has been published once by this process, and after a publish that failed. */
  private outboxClean = false;
  private stopped = false;
  private readonly failures = new Map<number, number>();
  private readonly holds: Promise<unknown>[] = [];
  private marksTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly inbox: InboxService,
    private readonly orderState: OrderStateService,
    private readonly publisher: OrderEventPublisher,
    private readonly readiness: EventEmitterReadinessWatcher,
    @InjectMetric(Metric.InboxProcessed) private readonly processed: Counter<string>,
    @InjectMetric(Metric.InboxBacklog) private readonly backlog: Gauge<string>,
  ) {}

  /**
   * Hold the first pass until `work` settles (e.g. boot reconciliation), so strategies see recovered history before
   * new events. Must be called before bootstrap (from onModuleInit).
   */
  holdFirstPassUntil(work: Promise<unknown>): void {
    this.holds.push(work.catch(() => undefined));
  }

  async onApplicationBootstrap(): Promise<void> {
    // Listeners subscribe during bootstrap; publishing before they are ready would reach nobody.
    await this.readiness.waitUntilReady();
    await Promise.all(this.holds);
    const backlog = await this.inbox.countPending();
    if (backlog > 0) this.logger.log(`resuming: ${backlog} acknowledged update(s) not yet processed`);
    this.kick();
  }

  /**
   * Graceful shutdown, first half: while the database is still open, finish what is in flight and work the inbox
   * empty (bounded), so a SIGTERM between market events leaves nothing half-done.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const drained = this.kick().then(() => this.idle());
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, SHUTDOWN_DRAIN_MS, 'timeout').unref());
    if ((await Promise.race([drained, timeout])) === 'timeout') {
      this.logger.warn(`shutdown: inbox not drained within ${SHUTDOWN_DRAIN_MS} ms; the rest is processed at next start`);
    }
    clearTimeout(this.marksTimer);
    this.marksTimer = undefined;
    await this.publisher.flushMarks().catch((error) => this.logger.warn(`shutdown: dispatched marks not written (${errorText(error)}); those events are published again at next start`));
  }

  /** Second half: stop; anything acknowledged after this point is already durable and is processed at next start. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Ask for a pass over the inbox; returns when the inbox (as of now) has been worked. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Resolves once nothing is being processed (for tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    let drained = false;
    do {
      this.again = false;
      drained = false;
      // Events stored but not published before a crash (or a failed publish); afterwards each chunk publishes its own.
      if (!this.outboxClean) {
        await this.publisher.publishPending();
        this.outboxClean = true;
      }
      for (;;) {
        if (this.stopped) return;
        const entries = await this.inbox.pending(BATCH);
        if (entries.length === 0) {
          drained = true;
          break;
        }
        /** Entries of this read left for a retry. */
        let left = 0;
        for (let i = 0; i < entries.length; i += APPLY_CHUNK) {
          await this.giveWayToAcks();
          if (this.stopped) return;
          left += await this.processChunk(entries.slice(i, i + APPLY_CHUNK));
          this.outboxClean = false;
          await this.publisher.publishPending({ deferMarks: true }); // marked with the next chunk, or below
          this.outboxClean = true;
        }
        if (left === entries.length) break; // only retriable failures left; the next kick retries them
        // A short read was the whole inbox as of then; anything accepted since has kicked, which set `again`.
        if (entries.length < BATCH) {
          drained = left === 0;
          break;
        }
      }
    } while (this.again && !this.stopped);
    this.scheduleMarks();
    this.backlog.set(drained ? 0 : await this.inbox.countPending());
  }

  private scheduleMarks(): void {
    if (this.stopped || this.marksTimer || this.publisher.unmarkedIds().length === 0) return;
    this.marksTimer = setTimeout(() => {
      this.marksTimer = undefined;
      this.publisher.flushMarks().catch((error) => this.logger.warn(`dispatched marks not written yet (${errorText(error)}); retried after the next pass`));
    }, MARKS_DELAY_MS);
    this.marksTimer.unref();
  }

  /**
   * Processing shares the thread and the database connection with ingress, and a chunk runs start to finish
   * without letting I/O in. So before each chunk: let pending I/O (new postbacks) be read, then let their inbox
   * commit and acknowledgement go first.
   */
  private async giveWayToAcks(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.inbox.whenFlushed();
  }

  /**
   * Apply a chunk in one transaction; if that fails, fall back to one entry at a time to isolate the culprit.
   * Returns how many entries are left for a retry.
   */
  private async processChunk(entries: InboxEntry[]): Promise<number> {
    if (entries.length > 1) {
      try {
        const marks = this.publisher.unmarkedIds();
        const results = await this.orderState.applyEntries(entries, (m) => this.publisher.markDispatched(m, marks));
        this.publisher.confirmMarked(marks);
        for (const result of results) this.processed.inc({ outcome: result.outcome });
        for (const entry of entries) this.failures.delete(entry.id);
        return 0;
      } catch {
        // fall through: retried singly below, where each failure is counted and logged against its entry
      }
    }
    let left = 0;
    for (const entry of entries) if (!(await this.process(entry))) left++;
    return left;
  }

  private async process(entry: InboxEntry): Promise<boolean> {
    try {
      const result = await this.orderState.applyEntry(entry);
      this.processed.inc({ outcome: result.outcome });
      this.failures.delete(entry.id);
      return true;
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) {
        this.logger.warn({ orderId: entry.orderId }, `inbox entry ${entry.id} (order ${entry.orderId}): ${error.message}; will retry`);
        return false;
      }
      const attempts = (this.failures.get(entry.id) ?? entry.attempts) + 1;
      this.failures.set(entry.id, attempts);
      this.logger.error({ orderId: entry.orderId }, `inbox entry ${entry.id} (order ${entry.orderId}) failed, attempt ${attempts}: ${errorText(error)}`);
      if (attempts >= MAX_ATTEMPTS) {
        await this.inbox.park(entry.id, attempts, errorText(error));
        this.processed.inc({ outcome: 'failed' });
        this.failures.delete(entry.id);
        return true;
      }
      return false;
    }
  }
}
