import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An order legwork did not place and no running strategy claims by tag: placed by hand in Kite, or by another tool.
 * Its state is kept in `orders` like any other; this row marks it as external (first sight, and where from) so the
 * trade log, /rails/external-orders and the alerts can tell it apart. Strategies never act on it unless a handler
 * opts in with `external: true`.
 */
@Entity('external_orders')
export class ExternalOrder {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  orderId: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  tag: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  tradingsymbol: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  transactionType: string | null;

  /** postback, websocket, reconcile or replay: how legwork first heard of it. */
  @Column({ type: 'varchar', length: 16 })
  firstSource: string;

  /** IST trading day of first sight, yyyy-mm-dd. */
  @Index()
  @Column({ type: 'varchar', length: 10 })
  tradingDay: string;

  @CreateDateColumn()
  firstSeenAt: Date;
}
