import type { EntityManager } from 'typeorm';

export type LeadershipRole = 'single' | 'leader' | 'standby';

export interface LeadershipStatus {
  role: LeadershipRole;
  /** The fencing epoch this instance leads at (null: not leading, or a single instance). */
  epoch: number | null;
  /** This instance in the lease row. */
  holder: string;
  leaseMs: number | null;
}

/**
 * Which instance sends orders. Several engine processes may share one PostgreSQL database: every one takes
 * postbacks (the inbox deduplicates), exactly one at a time — the leader — processes the inbox, runs strategies and
 * the timed work, and talks to Kite for orders. On SQLite there is one instance and it always leads.
 */
export abstract class Leadership {
  abstract status(): LeadershipStatus;

  /** This instance leads now (by its own clock, conservatively: it stops believing so before its lease runs out). */
  isLeader(): boolean {
    return this.status().role !== 'standby';
  }

  /** Resolves once this instance leads (at once on SQLite). */
  abstract whenLeader(): Promise<void>;

  /**
   * Inside the write transaction that lets an order out (a leg claim): true only if this instance still leads at its
   * epoch. On PostgreSQL the lease row is read FOR SHARE, so a takeover (which raises the epoch) waits for this
   * transaction and every claim is either made before it, by the old leader, or refused.
   */
  abstract fence(manager: EntityManager): Promise<boolean>;

  /** Called once if this instance loses leadership (it then stops sending; main.ts exits and is restarted as a standby). */
  abstract onLost(listener: () => void): void;
}

/** Thrown when an order action is asked of an instance that does not lead (any longer). */
export class NotLeaderError extends Error {
  constructor(action: string) {
    super(`${action} refused: this instance is not the leader (another instance sends orders)`);
  }
}

/** SQLite: the only instance; always the leader, no lease, no fence query (today's behaviour and speed). */
export class SoleInstance extends Leadership {
  constructor(private readonly holder: string) {
    super();
  }
  status(): LeadershipStatus {
    return { role: 'single', epoch: null, holder: this.holder, leaseMs: null };
  }
  isLeader(): boolean {
    return true;
  }
  whenLeader(): Promise<void> {
    return Promise.resolve();
  }
  fence(): Promise<boolean> {
    return Promise.resolve(true);
  }
  onLost(): void {}
}
