import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One comparison of legwork's net quantities with Kite's positions: the last one is what the CLI and the page show. */
@Entity('positions_checks')
export class PositionsCheckRecord {
  @PrimaryGeneratedColumn()
  id: number;

  /** IST yyyy-mm-dd. */
  @Column({ type: 'varchar', length: 10 })
  tradingDay: string;

  /** timer or demand. */
  @Column({ type: 'varchar', length: 16 })
  trigger: string;

  /** Instruments whose figures differ (0: all match). */
  @Column({ type: 'integer' })
  mismatches: number;

  /** JSON PositionLine[]. */
  @Column({ type: 'text' })
  lines: string;

  @CreateDateColumn()
  checkedAt: Date;
}
