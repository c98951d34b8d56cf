import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * running — started: open orders and GTTs cancelled, closing legs being placed (resumed after a restart)
 * done    — nothing of the strategy open any more (or nothing at Kite to close)
 * stuck   — closing legs failed LEG_GROUP_UNWIND_ATTEMPTS times for something still open: a human was alerted
 */
export type SquareOffStatus = 'running' | 'done' | 'stuck';

/** A strategy's timed square-off on one trading day: at most one per (strategy, day), so it is done once and survives restarts. */
@Entity('square_offs')
@Index('UQ_square_offs_day', ['strategy', 'tradingDay'], { unique: true })
export class SquareOff {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64 })
  strategy: string;

  /** IST yyyy-mm-dd. */
  @Column({ type: 'varchar', length: 10 })
  tradingDay: string;

  /** The time it was due (HH:MM IST). */
  @Column({ type: 'varchar', length: 5 })
  dueAt: string;

  @Index()
  @Column({ type: 'varchar', length: 16 })
  status: SquareOffStatus;

  /** The instance working on it; another takes over once the claim has expired. */
  @Column({ type: 'varchar', length: 96, nullable: true })
  claimedBy: string | null;

  @Column({ type: Date, nullable: true })
  claimExpiresAt: Date | null;

  /** JSON: orders cancelled, GTTs deleted, what was closed, what was not at Kite. */
  @Column({ type: 'text', nullable: true })
  summary: string | null;

  @Column({ type: Date, nullable: true })
  finishedAt: Date | null;

  @CreateDateColumn()
  createdAt: Date;

  @UpdateDateColumn()
  updatedAt: Date;
}
