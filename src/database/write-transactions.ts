import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs write transactions one at a time. Why: TypeORM's better-sqlite3 driver has ONE connection shared by every
 * caller, so a write issued while another caller's transaction is open would silently join that transaction — and
 * vanish with it on rollback, after its postback had been acknowledged. Every write in legwork goes through here.
 * (On PostgreSQL each transaction has its own pooled connection and this queue only orders this process's writes.)
 */
@Injectable()
export class WriteTransactions {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = this.tail.then(() => this.dataSource.transaction(work));
    // The queue moves on whether this transaction committed or failed; the caller gets the failure.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
