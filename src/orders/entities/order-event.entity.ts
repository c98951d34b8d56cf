import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { OrderEventSource } from '../../events/order-snapshot';

/**
 * Each accepted transition of an order, in order. Doubles as the outbox of domain events:
 * a row with no dispatchedAt is (re)published after a restart, so no event is lost to a crash.
 */
@Entity('order_events')
// Undispatched events only: an event leaves it once published (PendingOnlyIndexes migration).
@Index('IDX_order_events_undispatched', ['id'], { where: '"dispatchedAt" IS NULL' })
export class OrderEventRecord {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @Column({ type: 'varchar', length: 32 })
  orderId: string;

  /** Domain event name, e.g. order.filled. */
  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Column({ type: 'varchar', length: 40 })
  status: string;

  @Column({ type: 'integer' })
  filledQuantity: number;

  @Column({ type: 'varchar', length: 16 })
  source: OrderEventSource;

  @Column({ type: 'integer', nullable: true })
  inboxId: number | null;

  /** The event's payload as published (JSON). */
  @Column({ type: 'text' })
  payload: string;

  @CreateDateColumn()
  createdAt: Date;

  @Column({ type: Date, nullable: true })
  dispatchedAt: Date | null;
}
