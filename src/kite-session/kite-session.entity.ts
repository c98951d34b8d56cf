import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A Kite access token from the daily login. Kept in the trade log (never in logs) so a restart during the day
 * does not need another login. Kite expires every token at 06:00 IST the next day.
 */
@Entity('kite_sessions')
export class KiteSession {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 32 })
  userId: string;

  @Column({ type: 'text' })
  accessToken: string;

  /** login_time as Kite sent it (IST). */
  @Column({ type: 'varchar', length: 19, nullable: true })
  loginTime: string | null;

  @Column({ type: Date })
  expiresAt: Date;

  @CreateDateColumn()
  createdAt: Date;
}
