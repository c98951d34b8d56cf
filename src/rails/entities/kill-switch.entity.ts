import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * The kill switch, one row ('global'). Persisted so that a restart stays stopped until someone re-arms it, and read
 * from the database on every placement so several instances sharing one database obey the same switch.
 */
@Entity('kill_switch')
export class KillSwitchState {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  id: string;

  @Column({ type: 'boolean', default: false })
  tripped: boolean;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** Who or what tripped or re-armed it: 'cli', 'http', 'limit:<strategy>', … */
  @Column({ type: 'varchar', length: 64, nullable: true })
  changedBy: string | null;

  @UpdateDateColumn()
  changedAt: Date;
}
