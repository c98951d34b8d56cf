import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Every order action that left for Kite (place, modify), counted for Kite's daily and per-order limits. Kept in the
 * database, not in memory, so the counts survive restarts and are shared by instances on one database.
 */
@Entity('order_actions')
@Index('IDX_order_actions_day', ['tradingDay', 'action'])
export class OrderAction {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 16 })
  action: 'place' | 'modify';

  /** The order modified (null for a placement, whose id is not known yet). */
  @Index()
  @Column({ type: 'varchar', length: 32, nullable: true })
  orderId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  strategy: string | null;

  /** IST trading day, yyyy-mm-dd: Kite's daily limit resets with the Indian day. */
  @Column({ type: 'varchar', length: 10 })
  tradingDay: string;

  @CreateDateColumn()
  at: Date;
}
