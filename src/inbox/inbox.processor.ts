import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { EventEmitterReadinessWatcher } from '@nestjs/event-emitter';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { errorText } from '../common/error-text';
import { ConcurrentUpdateError, HOT_PATH_STORE, HotPathStore, StoreUnavailableError } from '../database/hot-path/hot-path.store';
import { Leadership } from '../leadership/leadership';
import { Metric } from '../metrics/metrics';
import { OrderEventPublisher } from '../orders/order-event.publisher';
import { OrderStateDecision, OrderStateService } from '../orders/order-state.service';
import { InboxService } from './inbox.service';

/** After this many failed attempts an entry is parked as failed (its raw body stays) instead of blocking the rest. */
const MAX_ATTEMPTS = 5;
/** Entries applied per unit of work: amortises the commit, short enough that acknowledgements do not wait long. */
const APPLY_CHUNK = 100;
const SHUTDOWN_DRAIN_MS = 10_000;
/** Retry after a failed pass: 100 ms, doubling, at most this. */
const MAX_BACKOFF_MS = 30_000;

/** How the processor is doing, for readiness. */
export interface ProcessorHealth {
  /** False while passes fail (it keeps retrying with backoff). */
  ok: boolean;
  /** Failed passes in a row, and since start. */
  consecutiveFailures: number;
  failures: number;
  lastError: string | null;
  lastFailureAt: string | null;
  /** When the next retry runs, while failing. */
  retryInMs: number | null;
}

/**
 * Works the inbox's backlog: entries acknowledged but not applied on arrival — left by a crash, queued by a
 * reconcile, deferred behind an older entry of their order, or whose applying failed. Applies them in arrival
 * order, a chunk per unit of work, then publishes their events. Runs at boot (so strategies see recovered history
 * before new events; only then are updates applied on arrival) and whenever the pipeline leaves entries pending.
 *
 * It never takes the process down: a failing pass (the database refusing a read, say) is caught, logged, counted and
 * retried with backoff, and readiness reports it until a pass succeeds. The `running` flag only avoids two loops in
 * one process; correctness comes from the database (see the hot-path store's unit of work).
 */
@Injectable()
export class InboxProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(InboxProcessor.name);
  private running: Promise<void> | null = null;
  private again = false;
  /** False until the outbox has been published once by this process, and after a pass that failed. */
  private outboxClean = false;
  private started = false;
  private stopped = false;
  private readonly failures = new Map<number, number>();
  private readonly holds: Array<Promise<unknown> | (() => Promise<unknown>)> = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly state: ProcessorHealth = { ok: true, consecutiveFailures: 0, failures: 0, lastError: null, lastFailureAt: null, retryInMs: null };
  private retryAt: number | null = null;
  private startNow: () => void = () => undefined;
  private bootDone: () => void = () => undefined;
  /** Resolves once the first pass after the start is over (kick() before then waits for it). */
  private readonly booted = new Promise<void>((resolve) => (this.bootDone = resolve));
  private readonly decide = (entries: Parameters<OrderStateService['decide']>[0], orders: Parameters<OrderStateService['decide']>[1]) =>
    this.orderState.decide(entries, orders);

  constructor(
    private readonly inbox: InboxService,
    @Inject(HOT_PATH_STORE) private readonly store: HotPathStore,
    private readonly orderState: OrderStateService,
    private readonly publisher: OrderEventPublisher,
    private readonly readiness: EventEmitterReadinessWatcher,
    @InjectMetric(Metric.InboxProcessed) private readonly processed: Counter<string>,
    @InjectMetric(Metric.InboxBacklog) private readonly backlog: Gauge<string>,
    @InjectMetric(Metric.InboxProcessorErrors) private readonly errors: Counter<string>,
    @Optional() private readonly http?: HttpAdapterHost,
    @Optional() private readonly leadership?: Leadership,
  ) {}

  /**
   * Hold the first pass until `work` settles (e.g. boot reconciliation), so strategies see recovered history before
   * new events. Must be called before bootstrap (from onModuleInit).
   */
  holdFirstPassUntil(work: Promise<unknown> | (() => Promise<unknown>)): void {
    // A function is called once this instance leads (at once on SQLite): a standby reconciles and recovers only when it takes over.
    this.holds.push(typeof work === 'function' ? work : work.catch(() => undefined));
  }

  /**
   * Not awaited: bootstrap — and the HTTP server's listen right after it — must not wait for the boot reconcile, or
   * Kite's postbacks sent meanwhile would find no one listening (Kite does not send them again). The first pass waits:
   * for the event listeners, the holds (reconcile, leg recovery), and the server listening for postbacks, since
   * processing makes strategies place orders and Kite posts back what becomes of them.
   */
  onApplicationBootstrap(): void {
    void this.boot();
  }

  private async boot(): Promise<void> {
    try {
      await this.listening();
      // Listeners subscribe during bootstrap; publishing before they are ready would reach nobody.
      await this.readiness.waitUntilReady();
      // Only the leader processes (several instances on PostgreSQL); a standby stores what it receives and waits here.
      await this.leadership?.whenLeader();
      await Promise.all(this.holds.map((hold) => (typeof hold === 'function' ? hold().catch(() => undefined) : hold)));
      const backlog = await this.inbox.countPending().catch(() => null);
      if (backlog) this.logger.log(`resuming: ${backlog} acknowledged update(s) not yet processed`);
      this.started = true;
      await this.kick();
    } finally {
      this.bootDone();
    }
  }

  /** For an application that never listens (one driven in-process by tests): start processing now. */
  start(): void {
    this.startNow();
  }

  /**
   * Graceful shutdown, first half: while the database is still open, finish what is in flight and work the inbox
   * empty (bounded), so a SIGTERM between market events leaves nothing half-done.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const drained = this.inbox
      .whenFlushed()
      .then(() => (this.started ? this.kick() : undefined))
      .then(() => this.idle())
      .then(() => this.publisher.idle());
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, SHUTDOWN_DRAIN_MS, 'timeout').unref());
    if ((await Promise.race([drained, timeout])) === 'timeout') {
      this.logger.warn(`shutdown: inbox not drained within ${SHUTDOWN_DRAIN_MS} ms; the rest is processed at next start`);
    }
    await this.publisher
      .flushMarks()
      .catch((error) => this.logger.warn(`shutdown: dispatched marks not written (${errorText(error)}); those events are published again at next start`));
  }

  /** Second half: stop; anything acknowledged after this point is already durable and is processed at next start. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.running;
  }

  /**
   * Ask for a pass over the inbox; resolves (never rejects) when the inbox, as of now, has been worked or the pass
   * failed. Before the first pass after the start, resolves when that one is over.
   */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.started) return this.booted;
    // An instance that stopped leading (paused past its lease) processes nothing more: the new leader does.
    if (this.leadership && !this.leadership.isLeader()) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Resolves once nothing is being processed (for tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private listening(): Promise<void> {
    const server = this.http?.httpAdapter?.getHttpServer?.() as Server | undefined;
    if (!server || server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.startNow = resolve;
      server.once('listening', () => resolve());
    });
  }

  health(): ProcessorHealth {
    return { ...this.state, retryInMs: this.retryAt === null ? null : Math.max(0, this.retryAt - Date.now()) };
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        const drained = await this.pass();
        this.succeeded();
        if (drained === null) return; // stopped
        this.backlog.set(drained ? 0 : await this.store.countPending());
        if (drained) this.inbox.applyOnArrival(() => void this.kick());
        else this.retryLater(); // entries left for a retry (they failed); not only on the next arrival
      } catch (error) {
        this.failed(error);
        return;
      }
    } while (this.again && !this.stopped);
  }

  /** Publishes what is owed, then applies pending entries until none is left. True: drained; false: entries left for a retry; null: stopped. */
  private async pass(): Promise<boolean | null> {
    // Events stored but not published before a crash (or a failed pass); afterwards each chunk publishes its own.
    if (!this.outboxClean) {
      await this.publisher.publishPending();
      this.outboxClean = true;
    }
    for (;;) {
      if (this.stopped) return null;
      await this.giveWayToAcks();
      const ids = await this.store.pendingIds(APPLY_CHUNK);
      if (ids.length === 0) return true;
      const left = await this.processChunk(ids);
      if (left === ids.length) return false; // only retriable failures left
    }
  }

  /**
   * Processing shares the thread and the database connection with ingress, and a chunk runs start to finish
   * without letting I/O in. So before each chunk: let pending I/O (new postbacks) be read, then let their inbox
   * commit go first.
   */
  private async giveWayToAcks(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.inbox.whenFlushed();
  }

  /**
   * Apply a chunk in one unit of work; if that fails, one entry at a time to isolate the culprit.
   * Returns how many entries are left for a retry.
   */
  private async processChunk(ids: number[]): Promise<number> {
    if (ids.length > 1) {
      try {
        await this.apply(ids);
        for (const id of ids) this.failures.delete(id);
        return 0;
      } catch (error) {
        // The database itself is failing: nothing to blame on the entries; the pass fails and is retried later.
        if (error instanceof StoreUnavailableError) throw error;
        // Otherwise retried singly below, where each failure is counted and logged against its entry.
      }
    }
    let left = 0;
    for (const id of ids) if (!(await this.processOne(id))) left++;
    return left;
  }

  private async apply(ids: number[]): Promise<void> {
    const applied = await this.store.applyPending(ids, this.decide);
    if (!applied) return;
    const decision: OrderStateDecision = applied.writes;
    decision.log();
    for (const result of decision.results) this.processed.inc({ outcome: result.outcome });
    await this.publisher.publishCommitted(
      decision.events.map((e, i) => ({ id: applied.eventIds[i], type: e.type, source: e.source, orderId: e.orderId, payload: decision.payloads[i] })),
    );
  }

  private async processOne(id: number): Promise<boolean> {
    try {
      await this.apply([id]);
      this.failures.delete(id);
      return true;
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      if (error instanceof ConcurrentUpdateError) {
        this.logger.warn(`inbox entry ${id}: ${error.message}; will retry`);
        return false;
      }
      const attempts = (this.failures.get(id) ?? 0) + 1;
      this.failures.set(id, attempts);
      this.logger.error(`inbox entry ${id} failed, attempt ${attempts}: ${errorText(error)}`);
      if (attempts < MAX_ATTEMPTS) return false;
      await this.store.park(id, attempts, errorText(error));
      this.processed.inc({ outcome: 'failed' });
      this.failures.delete(id);
      return true;
    }
  }

  private succeeded(): void {
    if (!this.state.ok) this.logger.log(`inbox processing recovered after ${this.state.consecutiveFailures} failed pass(es)`);
    this.state.ok = true;
    this.state.consecutiveFailures = 0;
    this.retryAt = null;
  }

  /** A pass failed: log, count, report, and try again later (backoff), whatever else happens meanwhile. */
  private failed(error: unknown): void {
    this.outboxClean = false;
    this.state.ok = false;
    this.state.consecutiveFailures++;
    this.state.failures++;
    this.state.lastError = errorText(error);
    this.state.lastFailureAt = new Date().toISOString();
    this.errors.inc();
    const delay = this.retryLater();
    this.logger.error(
      `inbox processing failed (${this.state.lastError}); acknowledged updates stay stored, retrying in ${delay} ms (failure ${this.state.consecutiveFailures} in a row)`,
    );
  }

  private retryLater(): number {
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.max(0, this.state.consecutiveFailures - 1));
    if (this.stopped) return delay;
    clearTimeout(this.retryTimer);
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.kick();
    }, delay);
    this.retryTimer.unref();
    return delay;
  }
}
