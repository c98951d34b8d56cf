import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { errorText } from '../common/error-text';
import { Leadership, LeadershipStatus } from './leadership';

const ROW = 'engine';
/** The database's clock, as UTC wall time (the column is a timestamp without time zone): one clock for every instance. */
const DB_NOW = `(clock_timestamp() AT TIME ZONE 'utc')`;

/**
 * Leadership on PostgreSQL: a lease row with a fencing epoch. The leader renews its lease every third of
 * LEADER_LEASE_MS; the row says it expires at 0.9 × the lease after each renewal (database clock). A standby tries
 * every tenth of the lease to take a row that has expired, raising the epoch: so a leader lost (killed, cut off,
 * paused) is replaced within LEADER_LEASE_MS. The leader believes it leads only until 0.9 × the lease after the start
 * of its last successful renewal, by its own clock — before the row expires — so a paused leader that wakes up knows
 * at once it may not send; and every leg claim checks the epoch in its own transaction (fence), so even a leader that
 * has not noticed yet cannot send.
 */
export class PostgresLeadership extends Leadership {
  private readonly logger = new Logger('Leadership');
  private epoch: number | null = null;
  private believedUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lost = false;
  private ticking: Promise<void> = Promise.resolve();
  private becameLeader: () => void = () => undefined;
  private readonly leader = new Promise<void>((resolve) => (this.becameLeader = resolve));
  private readonly lostListeners: Array<() => void> = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly holder: string,
    private readonly leaseMs: number,
  ) {
    super();
  }

  private get rowLeaseMs(): number {
    return Math.round(this.leaseMs * 0.9);
  }

  status(): LeadershipStatus {
    const leading = this.isLeader();
    return { role: leading ? 'leader' : 'standby', epoch: leading ? this.epoch : null, holder: this.holder, leaseMs: this.leaseMs };
  }

  isLeader(): boolean {
    return this.epoch !== null && !this.lost && Date.now() < this.believedUntil;
  }

  whenLeader(): Promise<void> {
    return this.leader;
  }

  onLost(listener: () => void): void {
    this.lostListeners.push(listener);
  }

  async fence(manager: EntityManager): Promise<boolean> {
    if (!this.isLeader()) return false;
    const rows = await manager.query<unknown[]>(`SELECT 1 FROM "leadership" WHERE "id" = $1 AND "holder" = $2 AND "epoch" = $3 FOR SHARE`, [
      ROW,
      this.holder,
      this.epoch,
    ]);
    return rows.length === 1;
  }

  /** Starts campaigning (standby) or renewing (after freeze) at once. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops campaigning and renewing without giving the lease up, as a paused or cut-off process would (tests). */
  freeze(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Graceful stop: the lease is given up, so a standby takes over at its next try instead of after the lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    if (this.epoch === null || this.lost) return;
    this.lost = true; // from here on it does not lead, whatever its lease says
    await this.dataSource
      .query(`UPDATE "leadership" SET "expiresAt" = ${DB_NOW} - interval '1 second' WHERE "id" = $1 AND "holder" = $2 AND "epoch" = $3`, [
        ROW,
        this.holder,
        this.epoch,
      ])
      .catch((error) => this.logger.warn(`lease not given up (${errorText(error)}); a standby takes over once it expires`));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule(this.epoch === null ? this.leaseMs / 10 : this.leaseMs / 3));
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const started = Date.now();
    try {
      if (this.epoch === null) await this.campaign(started);
      else await this.renew(started);
    } catch (error) {
      this.logger.warn(`lease ${this.epoch === null ? 'not taken' : 'not renewed'}: ${errorText(error)}`);
      if (this.epoch !== null && Date.now() >= this.believedUntil) this.lose('its lease ran out while the database could not be reached');
    }
  }

  private async campaign(started: number): Promise<void> {
    const rows = await this.dataSource.query<Array<{ epoch: number }>>(
      `INSERT INTO "leadership" ("id", "holder", "epoch", "expiresAt") VALUES ($1, $2, 1, ${DB_NOW} + make_interval(secs => $3))
       ON CONFLICT ("id") DO UPDATE SET "holder" = EXCLUDED."holder", "epoch" = "leadership"."epoch" + 1, "expiresAt" = EXCLUDED."expiresAt"
       WHERE "leadership"."expiresAt" < ${DB_NOW}
       RETURNING "epoch"`,
      [ROW, this.holder, this.rowLeaseMs / 1000],
    );
    if (rows.length !== 1 || this.stopped) return;
    this.epoch = rows[0].epoch;
    this.believedUntil = started + this.rowLeaseMs;
    this.logger.log(`this instance is now the leader (epoch ${this.epoch}): it reconciles with Kite, then processes the inbox and sends orders`);
    this.becameLeader();
  }

  private async renew(started: number): Promise<void> {
    if (this.lost) return;
    if (Date.now() >= this.believedUntil)
      return this.lose(`its lease ran out before it was renewed (paused or cut off for ${Date.now() - this.believedUntil + this.rowLeaseMs} ms)`);
    const result = await this.dataSource.query<[unknown[], number]>(
      `UPDATE "leadership" SET "expiresAt" = ${DB_NOW} + make_interval(secs => $4) WHERE "id" = $1 AND "holder" = $2 AND "epoch" = $3`,
      [ROW, this.holder, this.epoch, this.rowLeaseMs / 1000],
    );
    if (result[1] !== 1) return this.lose('another instance took over');
    this.believedUntil = started + this.rowLeaseMs;
  }

  private lose(why: string): void {
    if (this.lost) return;
    this.lost = true;
    this.logger.error(`this instance lost leadership (epoch ${this.epoch}): ${why}; it sends nothing more`);
    for (const listener of this.lostListeners) listener();
  }
}
