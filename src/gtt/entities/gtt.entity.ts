import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { GttStatus } from '../gtt-state';

export type { GttStatus } from '../gtt-state';

/**
 * A GTT (good-till-triggered) a strategy asked legwork to place at Kite, recorded *before* Kite is called. The unique
 * key (strategy, parent order, name) makes it exactly-once like a leg. GTTs carry no tag, so after an unclear answer
 * it is found again by what it is (its condition and orders, see gtt-state.ts), and once found by Kite's trigger id.
 * The orders it fires become rows of `legs` (named `<name>:stop`, `<name>:target` or `<name>:trigger`) linked by order id.
 */
@Entity('gtts')
@Index('UQ_gtts_key', ['strategy', 'parentOrderId', 'name'], { unique: true })
export class Gtt {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @Column({ type: 'varchar', length: 64 })
  strategy: string;

  /** The chain the GTT protects: its orders join it in the trade log. */
  @Column({ type: 'varchar', length: 64 })
  chainId: string;

  @Column({ type: 'varchar', length: 32 })
  parentOrderId: string;

  @Column({ type: 'varchar', length: 48 })
  name: string;

  /** single or two-leg (OCO). */
  @Column({ type: 'varchar', length: 8 })
  type: string;

  @Column({ type: 'varchar', length: 16 })
  exchange: string;

  @Index()
  @Column({ type: 'varchar', length: 64 })
  tradingsymbol: string;

  /** JSON GttRequest: kiteconnect's GTT parameters and the role of each order (stop, target, trigger). */
  @Column({ type: 'text' })
  request: string;

  /** placing, unknown, failed (legwork's, before Kite has it), or Kite's own status once linked. */
  @Index()
  @Column({ type: 'varchar', length: 16 })
  status: GttStatus;

  /** Kite's trigger id once known. */
  @Column({ type: 'integer', nullable: true, unique: true })
  triggerId: number | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', length: 32, nullable: true })
  errorType: string | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  /** The instance sending it; nobody else touches it until claimExpiresAt (as for legs). */
  @Column({ type: 'varchar', length: 96, nullable: true })
  claimedBy: string | null;

  @Column({ type: Date, nullable: true })
  claimExpiresAt: Date | null;

  /** The last unclear answer (or a dead sender's claim found expired): the settle window starts here. */
  @Column({ type: Date, nullable: true })
  unclearAt: Date | null;

  /** Cancelled while its placement was unsettled: deleted as soon as it is found, never sent again. */
  @Column({ type: 'boolean', default: false })
  deleteRequested: boolean;

  /** Kite's `updated_at` (IST) when the status was last read. */
  @Column({ type: 'varchar', length: 19, nullable: true })
  kiteUpdatedAt: string | null;

  @Column({ type: 'integer', nullable: true })
  triggerEventId: number | null;

  @CreateDateColumn()
  createdAt: Date;

  @UpdateDateColumn()
  updatedAt: Date;
}
