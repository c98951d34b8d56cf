import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CommitSync, commitSync } from './data-source.options';

export interface WriteOptions {
  /**
   * true (default): the commit is on stable storage before run() resolves (what an acknowledged postback needs).
   * false: the commit survives a process crash but may be lost on power loss; for writes derived from durable
   * data (order state is rebuilt from the inbox), which then cost no fsync of their own. The next durable write's
   * sync covers them too.
   */
  durable?: boolean;
}

/**
 * Runs write transactions one at a time. Why: TypeORM's better-sqlite3 driver has ONE connection shared by every
 * caller, so a write issued while another caller's transaction is open would silently join that transaction — and
 * vanish with it on rollback, after its postback had been acknowledged. Every write in legwork goes through here.
 * (On PostgreSQL each transaction has its own pooled connection and this queue only orders this process's writes.)
 *
 * The queue moves on as soon as a transaction has committed; a durable caller then waits for the fdatasync (off the
 * event loop), while the next transaction may already commit — its own sync comes after (group commit).
 */
@Injectable()
export class WriteTransactions implements OnApplicationShutdown {
  private tail: Promise<unknown> = Promise.resolve();
  private commitSync: Promise<CommitSync> | undefined;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A TypeORM transaction in the queue. */
  run<T>(work: (manager: EntityManager) => Promise<T>, options: WriteOptions = {}): Promise<T> {
    return this.exclusive(() => this.dataSource.transaction(work), options);
  }

  /**
   * A turn of the queue for work that runs its own transaction on the connection (the hot-path store's prepared
   * statements): nothing else writes until `work` settles. Durable: resolves only once its commit is on disk.
   */
  exclusive<T>(work: () => T | Promise<T>, options: WriteOptions = {}): Promise<T> {
    return this.exclusiveThenDurable(work, options.durable ?? true).then(async ({ result, durable }) => {
      await durable;
      return result;
    });
  }

  /**
   * Like exclusive(), but resolves as soon as the commit returned, with a second promise for its durability: the
   * caller may act on what it committed (publish derived events) while the fdatasync runs, and answers only after.
   */
  exclusiveThenDurable<T>(work: () => T | Promise<T>, durable: boolean): Promise<{ result: T; durable: Promise<void> }> {
    const committed = this.tail.then(async () => {
      const commits = await this.commits();
      const result = await work();
      const synced = durable ? commits.sync() : Promise.resolve();
      synced.catch(() => undefined); // the caller gets the failure; a caller that stopped listening must not crash the process
      return { result, durable: synced };
    });
    // The queue moves on whether this transaction committed or failed; the caller gets the failure.
    this.tail = committed.catch(() => undefined);
    return committed;
  }

  /** How durable commits reach the disk here (start-up log). */
  async durability(): Promise<CommitSync['mode']> {
    return (await this.commits()).mode;
  }

  /** The commit/sync seam: sync() is called right after every durable COMMIT returned. */
  durableCommits(): Promise<CommitSync> {
    return this.commits();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.tail;
    const commits = await this.commitSync;
    await commits?.sync().catch(() => undefined);
    await commits?.close();
  }

  /** Set up on first use, before the first commit: it changes how this connection commits. */
  private commits(): Promise<CommitSync> {
    return (this.commitSync ??= commitSync(this.dataSource));
  }
}
