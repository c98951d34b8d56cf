import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type InstrumentListStatus = 'loading' | 'complete';
/** What started a load: the engine's start, the daily refresh, or someone asking (endpoint, CLI). */
export type InstrumentLoadTrigger = 'start' | 'schedule' | 'demand';

/**
 * One load of Kite's instrument list. Rows are written in batches under this id while it is `loading`; the commit
 * that marks it `complete` is what makes lookups switch to it, so a reader never sees half a list.
 */
@Entity('instrument_lists')
@Index('IDX_instrument_lists_status', ['status', 'id'])
export class InstrumentList {
  @PrimaryGeneratedColumn()
  id: number;

  /** The trading day the list is for (yyyy-mm-dd, IST): Kite's list of that morning. */
  @Column({ type: 'varchar', length: 10 })
  listDay: string;

  @Column({ type: 'varchar', length: 16 })
  status: InstrumentListStatus;

  @Column({ type: 'varchar', length: 16 })
  trigger: InstrumentLoadTrigger;

  /** The exchanges asked for ('' = all of them, in one request). */
  @Column({ type: 'varchar', length: 255, default: '' })
  exchanges: string;

  @Column({ type: 'integer', default: 0 })
  rows: number;

  @Column({ type: Date })
  startedAt: Date;

  @Column({ type: Date, nullable: true })
  completedAt: Date | null;
}
