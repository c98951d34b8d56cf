import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One fill delta: filled_quantity rose from q0 to q1. Unique on (orderId, cumulativeQuantity),
 * so the same rise can never be counted twice, whichever route or process reports it.
 */
@Entity('fills')
@Index('UQ_fills_order_cumulative', ['orderId', 'cumulativeQuantity'], { unique: true })
export class Fill {
  @PrimaryGeneratedColumn()
  id: number;

  /** Looked up by the unique index above, which starts with it. */
  @Column({ type: 'varchar', length: 32 })
  orderId: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  tradingsymbol: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  transactionType: string | null;

  /** q1 − q0 */
  @Column({ type: 'integer' })
  quantity: number;

  /**
   * (p1·q1 − p0·q0) / (q1 − q0); null while unpriced (Kite reported the rise without a usable average price), until
   * the fill pricer prices it from Kite's trades.
   */
  @Column({ type: 'double precision', nullable: true })
  price: number | null;

  /** q1: filled quantity after this fill. */
  @Column({ type: 'integer' })
  cumulativeQuantity: number;

  /**
   * When the fill happened at the exchange (IST, as Kite sent it): the update's exchange_update_timestamp. Not the
   * order's exchange_timestamp, which is when the exchange registered the order and stays the same for every fill.
   */
  @Column({ type: 'varchar', length: 19, nullable: true })
  exchangeTimestamp: string | null;

  @Column({ type: 'integer', nullable: true })
  orderEventId: number | null;

  @CreateDateColumn()
  createdAt: Date;
}
