import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

import type { OrderEventSource } from '../events/order-snapshot';
import type { UpdateOutcome } from '../orders/order-update';

/** The channel an entry came by: the source of the events it causes. */
export type InboxSource = OrderEventSource;
/** What processing an entry did to the order store. */
export type InboxOutcome = UpdateOutcome;

/**
 * One accepted order update, stored before the sender gets its 200.
 * The unique dedup key absorbs repeats in the schema itself, so duplicates are harmless even across instances.
 */
@Entity('inbox')
// Pending entries only: most are applied on arrival and never enter it (PendingOnlyIndexes migration).
@Index('IDX_inbox_pending', ['id'], { where: '"processedAt" IS NULL' })
export class InboxEntry {
  @PrimaryGeneratedColumn()
  id: number;

  /** The order id and a hash of its normalised state (see dedup-key.ts): the same update by any route maps to one key. */
  @Column({ type: 'varchar', length: 100, unique: true })
  dedupKey: string;

  @Column({ type: 'varchar', length: 16 })
  source: InboxSource;

  @Index()
  @Column({ type: 'varchar', length: 32 })
  orderId: string;

  /** The body exactly as received, so unknown fields are kept and a day can be replayed. */
  @Column({ type: 'text' })
  rawBody: string;

  @CreateDateColumn()
  receivedAt: Date;

  @Column({ type: Date, nullable: true })
  processedAt: Date | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  outcome: InboxOutcome | null;

  /** Why an update was ignored (stale, duplicate state) or failed. */
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;
}
