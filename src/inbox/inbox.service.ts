import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { WriteTransactions } from '../database/write-transactions';
import { toOrderUpdate } from '../orders/order-update';
import { dedupKeyOf } from './dedup-key';
import { InboxEntry, InboxSource } from './inbox-entry.entity';

export interface AcceptedUpdate {
  duplicate: boolean;
  orderId: string;
}

interface Pending {
  row: Pick<InboxEntry, 'dedupKey' | 'source' | 'orderId' | 'rawBody'>;
  resolve(result: AcceptedUpdate): void;
  reject(error: unknown): void;
}

/** Most entries written in one commit; bounds the latency a single flush adds. */
const MAX_BATCH = 500;

/**
 * Durable intake: an update is committed to the inbox table before anyone is told it was received.
 * Group commit: updates arriving together are written in one transaction (one fsync), and each caller is answered
 * only after that commit. Repeats are recognised by the unique dedup key, within a batch and against the table.
 */
@Injectable()
export class InboxService {
  private readonly logger = new Logger(InboxService.name);
  private queue: Pending[] = [];
  private flushScheduled = false;
  private flushing = 0;
  private flushWaiters: Array<() => void> = [];

  constructor(
    @InjectRepository(InboxEntry) private readonly entries: Repository<InboxEntry>,
    private readonly writes: WriteTransactions,
  ) {}

  /** Store one update (raw text kept verbatim); resolves once it is on disk, with duplicate=true for a repeat. */
  accept(rawBody: string, payload: Record<string, unknown>, source: InboxSource): Promise<AcceptedUpdate> {
    const update = toOrderUpdate(payload);
    return new Promise((resolve, reject) => {
      this.queue.push({ row: { dedupKey: dedupKeyOf(update), source, orderId: update.orderId, rawBody }, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
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

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_BATCH);
    this.flushScheduled = this.queue.length > 0;
    if (this.flushScheduled) setImmediate(() => void this.flush());
    if (batch.length === 0) return this.notifyFlushed();
    this.flushing++;
    try {
      const duplicates = await this.writes.run((manager) => this.insertBatch(manager, batch));
      batch.forEach((item, i) => {
        if (duplicates[i]) {
          this.logger.log({ orderId: item.row.orderId }, `duplicate ${item.row.source} update for order ${item.row.orderId} absorbed`);
        }
        item.resolve({ duplicate: duplicates[i], orderId: item.row.orderId });
      });
    } catch (error) {
      // Nothing of this batch was committed, so nobody is acknowledged: every caller gets the error.
      batch.forEach((item) => item.reject(error));
    } finally {
      this.flushing--;
      this.notifyFlushed();
    }
  }

  private notifyFlushed(): void {
    if (this.flushWaiters.length === 0) return;
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Insert the rows not already stored; returns, per row, whether it was a duplicate. */
  private async insertBatch(manager: EntityManager, batch: Pending[]): Promise<boolean[]> {
    const keys = [...new Set(batch.map((item) => item.row.dedupKey))];
    const stored = new Set(
      (await manager.find(InboxEntry, { select: { dedupKey: true }, where: { dedupKey: In(keys) } })).map((e) => e.dedupKey),
    );
    const duplicates = batch.map((item) => {
      if (stored.has(item.row.dedupKey)) return true;
      stored.add(item.row.dedupKey);
      return false;
    });
    const fresh = batch.filter((_, i) => !duplicates[i]).map((item) => item.row);
    // Chunked to stay far below any database's bound-parameter limit.
    // updateEntity(false): nothing generated is needed back, so no re-select of the inserted rows.
    for (let i = 0; i < fresh.length; i += 100) {
      await manager.createQueryBuilder().insert().into(InboxEntry).values(fresh.slice(i, i + 100)).updateEntity(false).execute();
    }
    return duplicates;
  }

  /** Oldest unprocessed entries first: per order, updates are applied in arrival order. */
  pending(limit: number): Promise<InboxEntry[]> {
    return this.entries.createQueryBuilder('e').where('e.processedAt IS NULL').orderBy('e.id', 'ASC').limit(limit).getMany();
  }

  countPending(): Promise<number> {
    return this.entries.createQueryBuilder('e').where('e.processedAt IS NULL').getCount();
  }

  /** Give up on an entry that keeps failing: it is marked failed with the reason, and its raw body stays. */
  async park(id: number, attempts: number, reason: string): Promise<void> {
    await this.writes.run((m) => m.update(InboxEntry, { id }, { processedAt: new Date(), outcome: 'failed', attempts, note: reason }));
  }
}
