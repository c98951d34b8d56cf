import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

/** Latest known state of one Kite order. Ids stay strings: they can be 19 digits. */
@Entity('orders')
export class Order {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  orderId: string;

  @Column({ type: 'varchar', length: 40 })
  status: string;

  @Column({ type: 'text', nullable: true })
  statusMessage: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  exchange: string | null;

  @Index()
  @Column({ type: 'varchar', length: 64, nullable: true })
  tradingsymbol: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  transactionType: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  orderType: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  product: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  variety: string | null;

  @Index()
  @Column({ type: 'varchar', length: 32, nullable: true })
  tag: string | null;

  @Column({ type: 'integer', default: 0 })
  quantity: number;

  @Column({ type: 'integer', default: 0 })
  filledQuantity: number;

  @Column({ type: 'integer', default: 0 })
  pendingQuantity: number;

  @Column({ type: 'integer', default: 0 })
  cancelledQuantity: number;

  @Column({ type: 'double precision', default: 0 })
  price: number;

  @Column({ type: 'double precision', default: 0 })
  triggerPrice: number;

  @Column({ type: 'double precision', default: 0 })
  averagePrice: number;

  /** IST timestamp strings exactly as Kite sent them. */
  @Column({ type: 'varchar', length: 19, nullable: true })
  orderTimestamp: string | null;

  @Column({ type: 'varchar', length: 19, nullable: true })
  exchangeUpdateTimestamp: string | null;

  /** The last applied payload, whole, so fields legwork does not model are kept. */
  @Column({ type: 'text' })
  lastPayload: string;

  /** Optimistic lock: two processes applying updates to one order cannot overwrite each other. */
  @VersionColumn()
  version: number;

  @CreateDateColumn()
  createdAt: Date;

  @UpdateDateColumn()
  updatedAt: Date;
}
