import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { LegStatus, SlicingPath } from '../leg-state.machine';

export type { LegStatus, SlicingPath } from '../leg-state.machine';

/**
 * One order a strategy decided to place, recorded *before* Kite is called. The unique key
 * (strategy, parent order, leg name, slice) is what makes placement exactly-once across redelivery and restarts;
 * the unique Kite tag is how an in-flight leg is found in the OMS after a crash. Its states and moves: leg-state.machine.ts.
 *
 * A leg above the exchange's freeze limit is one row for the leg (slice 0, `slices` > 0, never sent itself, its status
 * derived from its slices) and one row per slice (slice 1…n, `sliceOf` = the leg's id, the leg's name, its own tag):
 * each slice is a leg of its own for claims, states and evidence.
 */
@Entity('legs')
@Index('UQ_legs_key', ['strategy', 'parentOrderId', 'legName', 'slice'], { unique: true })
export class Leg {
  @PrimaryGeneratedColumn()
  id: number;

  /** Looked up by UQ_legs_key, which starts with it. */
  @Column({ type: 'varchar', length: 64 })
  strategy: string;

  /** Groups the legs of one chain: the root (entry) order id unless the strategy chose another. */
  @Index()
  @Column({ type: 'varchar', length: 64 })
  chainId: string;

  /** The order whose event triggered this leg ('' when none, e.g. an entry placed by a strategy itself). */
  @Column({ type: 'varchar', length: 32 })
  parentOrderId: string;

  @Column({ type: 'varchar', length: 64 })
  legName: string;

  /** Kite tag sent with the order (≤ 20 alphanumerics), unique per leg. */
  @Column({ type: 'varchar', length: 20, unique: true })
  tag: string;

  @Index()
  @Column({ type: 'varchar', length: 16 })
  status: LegStatus;

  /** Indexed once set (linked): a leg is recorded before it has an order. */
  @Index('IDX_legs_orderId', { where: '"orderId" IS NOT NULL' })
  @Column({ type: 'varchar', length: 32, nullable: true })
  orderId: string | null;

  /** The order parameters sent to Kite (JSON), so a retry sends exactly the same order. */
  @Column({ type: 'text' })
  request: string;

  @Column({ type: 'integer', nullable: true })
  triggerEventId: number | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', length: 32, nullable: true })
  errorType: string | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  /** The instance sending the leg (see LegClaims); nobody else touches it until claimExpiresAt. Null: nobody holds it. */
  @Column({ type: 'varchar', length: 96, nullable: true })
  claimedBy: string | null;

  @Column({ type: Date, nullable: true })
  claimExpiresAt: Date | null;

  /** When Kite's answer was last unclear (or a dead sender's claim was found expired): the settle window starts here. */
  @Column({ type: Date, nullable: true })
  unclearAt: Date | null;

  /** Takes risk off (a hedge group's reversal): the kill switch lets it through. Set by legwork, never by a strategy. */
  @Column({ type: 'boolean', default: false })
  reducesRisk: boolean;

  /** 0: a whole leg (one order, or the leg its slices make up); 1…n: the n-th slice of the leg `sliceOf`. */
  @Column({ type: 'integer', default: 0 })
  slice: number;

  /** On a leg sent as slices: how many. 0: not sliced (and on every slice). */
  @Column({ type: 'integer', default: 0 })
  slices: number;

  /** On a slice: the id of the leg it is a slice of. */
  @Index('IDX_legs_sliceOf', { where: '"sliceOf" IS NOT NULL' })
  @Column({ type: 'integer', nullable: true })
  sliceOf: number | null;

  /** On a sliced leg and its slices: `legwork` (one order per slice) or `autoslice` (one request, Kite slices). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  slicing: SlicingPath | null;

  /** A leg of a leg group (LegGroupService), its reversals and its slices: the group's id. Null: a leg on its own. */
  @Column({ type: 'integer', nullable: true })
  groupId: number | null;

  /** A leg sent with Kite's autoslice: the parent order id Kite answered with (its slices carry `autoslice:<it>` in `tags`). */
  @Index('IDX_legs_autosliceParentId', { where: '"autosliceParentId" IS NOT NULL' })
  @Column({ type: 'varchar', length: 32, nullable: true })
  autosliceParentId: string | null;

  @CreateDateColumn()
  createdAt: Date;

  @UpdateDateColumn()
  updatedAt: Date;
}
