import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * waiting   — first wave placed; the second waits until every first-wave order is COMPLETE
 * done      — second wave placed
 * unwinding — a first-wave leg was refused, rejected, cancelled or not filled in time: open first-wave orders are
 *             being cancelled; what filled is reversed once every first-wave order is final
 * unwound   — what had filled was reversed (or nothing had)
 */
export type LegGroupStatus = 'waiting' | 'done' | 'unwinding' | 'unwound';

/**
 * Legs submitted as one unit, protective legs (hedges) first on entry and last on exit, so margin is never asked for
 * a naked position. Persisted: a restart resumes waiting groups and their deadlines from here.
 */
@Entity('leg_groups')
@Index('UQ_leg_groups_key', ['strategy', 'parentOrderId', 'name'], { unique: true })
export class LegGroup {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64 })
  strategy: string;

  @Column({ type: 'varchar', length: 32 })
  parentOrderId: string;

  @Column({ type: 'varchar', length: 48 })
  name: string;

  @Column({ type: 'varchar', length: 8 })
  direction: 'entry' | 'exit';

  @Index()
  @Column({ type: 'varchar', length: 16 })
  status: LegGroupStatus;

  /** JSON: the legs ({ legName, order, protective }) as submitted. */
  @Column({ type: 'text' })
  spec: string;

  /** The first wave must be filled by then, or the group unwinds. */
  @Column({ type: Date })
  deadline: Date;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @CreateDateColumn()
  createdAt: Date;

  @UpdateDateColumn()
  updatedAt: Date;
}
