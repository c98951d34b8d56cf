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
 */
@Injectable()
export class WriteTransactions implements OnApplicationShutdown {
  private tail: Promise<unknown> = Promise.resolve();
  private commitSync: Promise<CommitSync> | undefined;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>, options: WriteOptions = {}): Promise<T> {
    const result = this.tail.then(() => this.execute(work, options.durable ?? true));
    // The queue moves on whether this transaction committed or failed; the caller gets the failure.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** How durable commits reach the disk here (start-up log). */
  async durability(): Promise<CommitSync['mode']> {
    return (await this.commits()).mode;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.tail;
    (await this.commitSync)?.close();
  }

  private async execute<T>(work: (manager: EntityManager) => Promise<T>, durable: boolean): Promise<T> {
    const commits = await this.commits();
    const result = await this.dataSource.transaction(work);
    if (durable) commits.sync();
    return result;
  }

  /** Set up on first use, before the first commit: it changes how this connection commits. */
  private commits(): Promise<CommitSync> {
    return (this.commitSync ??= commitSync(this.dataSource));
  }
}
