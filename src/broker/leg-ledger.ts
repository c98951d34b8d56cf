import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, FindOptionsWhere, In, IsNull, LessThan, Repository } from 'typeorm';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { PreparedQuery } from '../database/prepared-query';
import { isUniqueViolation } from '../database/unique-violation';
import { WriteTransactions } from '../database/write-transactions';
import { LegEventName, LegFailedEvent, LegPlacedEvent, LegRef, LegSighting, LegUnknownEvent } from '../events/leg.events';
import { Leadership, NotLeaderError } from '../leadership/leadership';
import { Notifier } from '../notifier/notifier.service';
import { Leg } from './entities/leg.entity';
import type { KiteErrorInfo } from './kite-error';
import { LegStatus, settleDeadline, sightingDecision, slicedLegStatus, SlicingPath, statesBefore } from './leg-state.machine';

/** What a caller gives for a new leg (NewLeg). */
const NEW_LEG_FIELDS = ['strategy', 'chainId', 'parentOrderId', 'legName', 'tag', 'request', 'triggerEventId', 'reducesRisk', 'groupId'] as const;

/** The columns a new leg is recorded with (record): the caller's fields and its claim; the rest take their defaults. */
const NEW_LEG_COLUMNS = [
  ...NEW_LEG_FIELDS,
  'status',
  'orderId',
  'attempts',
  'claimedBy',
  'claimExpiresAt',
  'createdAt',
  'updatedAt',
] as const satisfies ReadonlyArray<keyof Leg>;

/** A leg's row as recorded before anything is sent. */
export type NewLeg = Pick<Leg, (typeof NEW_LEG_FIELDS)[number]>;

/** One slice of a leg above the freeze limit, as recorded with the leg: its number (1…n), its own tag and request. */
export type NewSlice = Pick<Leg, 'slice' | 'tag' | 'request'>;

export interface Sighting {
  decision: 'linked' | 'same' | 'duplicate';
  /** The leg as it stands after the sighting. */
  leg: Leg;
}

/**
 * Every write of a leg's state, each one a conditional UPDATE that makes one move of the leg state machine
 * (leg-state.machine.ts) from the states it allows — so two instances, or an instance and a late answer, can never
 * both win. Claims live here too: a leg being sent is claimed (owner + lease) in the database, and every other
 * instance, and recovery, leave it alone until that claim has expired.
 */
@Injectable()
export class LegLedger {
  private readonly logger = new Logger('Legs');
  /** This instance in claims: host, process and a random part (two engines in one process are two owners). */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly insertLeg: PreparedQuery<Leg>;
  private readonly linkOrder: PreparedQuery<Pick<Leg, 'id'>>;

  constructor(
    @InjectRepository(Leg) private readonly legs: Repository<Leg>,
    private readonly writes: WriteTransactions,
    private readonly bus: EventEmitter2,
    private readonly notifier: Notifier,
    private readonly config: ConfigService<LegworkConfig, true>,
    private readonly leadership: Leadership,
  ) {
    // The two writes every placement makes — the leg recorded, then linked to its order — written once instead of
    // built per call (PreparedQuery); RETURNING (SQLite and PostgreSQL alike) gives back the row, or whether it moved.
    this.insertLeg = PreparedQuery.on(
      legs,
      `INSERT INTO "legs" (${NEW_LEG_COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES (${NEW_LEG_COLUMNS.map((c) => `:${c}`).join(', ')}) RETURNING *`,
    );
    this.linkOrder = PreparedQuery.on(
      legs,
      `UPDATE "legs" SET "status" = 'placed', "orderId" = :orderId, "claimedBy" = NULL, "claimExpiresAt" = NULL, "errorType" = NULL, ` +
        `"lastError" = NULL, "updatedAt" = :now WHERE "id" = :id AND "orderId" IS NULL AND "status" IN (:...from) RETURNING "id"`,
    );
  }

  /**
   * Record a new leg, already claimed by this instance and counted as its first attempt: nothing can send it but us
   * until the lease runs out. Durable: after a crash the leg is there and its tag can be looked up. Null when the leg
   * had been requested before (the unique key): nothing is recorded or sent again.
   */
  async record(values: NewLeg): Promise<Leg | null> {
    const row = { ...values, status: 'placing' as const, orderId: null, attempts: 1, claimedBy: this.owner, claimExpiresAt: this.leaseEnd() };
    try {
      return await this.writes.run(async (m) => {
        await this.fence(m, 'recording a leg');
        const now = new Date();
        const inserted = await this.insertLeg.one({ ...row, createdAt: now, updatedAt: now }, m);
        return m.create(Leg, inserted!);
      });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  /**
   * Record an order Kite placed for legwork without a call of ours — the order a GTT fired — as a leg already placed,
   * linked by order id (it carries no tag). Exactly once by the leg's unique key; null if it was recorded before.
   */
  async recordPlaced(values: NewLeg, orderId: string, via: LegSighting): Promise<Leg | null> {
    const row = { ...values, status: 'placed' as const, orderId, attempts: 0, claimedBy: null, claimExpiresAt: null };
    try {
      const leg = await this.writes.run(async (m) => m.create(Leg, { ...row, ...(await m.insert(Leg, row)).generatedMaps[0] }));
      this.announcePlaced(leg, orderId, via, 'intent');
      return leg;
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  /**
   * Record a leg above the freeze limit and its slices, in one transaction (the unique key includes the slice: a
   * repeat of the leg records nothing, null). The leg's own row is never sent; its state follows its slices'.
   * `legwork`: each slice is `intent`, claimed by this instance, and moves to placing through claim() when its turn
   * comes (a slice another instance took over meanwhile is not sent here). `autoslice`: every slice is placing and
   * claimed, sent together in the one request.
   */
  async recordSliced(values: NewLeg, slicing: SlicingPath, slices: NewSlice[]): Promise<{ leg: Leg; slices: Leg[] } | null> {
    const claim = { claimedBy: this.owner, claimExpiresAt: this.leaseEnd() };
    const first = slicing === 'legwork' ? { status: 'intent' as const, attempts: 0 } : { status: 'placing' as const, attempts: 1 };
    try {
      return await this.writes.run(async (m) => {
        await this.fence(m, 'recording a sliced leg');
        const row = {
          ...values,
          status: slicedLegStatus([first.status]),
          orderId: null,
          attempts: 0,
          slices: slices.length,
          slicing,
          claimedBy: null,
          claimExpiresAt: null,
        };
        const leg = m.create(Leg, { ...row, ...(await m.insert(Leg, row)).generatedMaps[0] });
        const rows: Leg[] = [];
        for (const slice of slices) {
          const sliceRow = { ...values, ...slice, ...first, ...claim, orderId: null, sliceOf: leg.id, slicing };
          rows.push(m.create(Leg, { ...sliceRow, ...(await m.insert(Leg, sliceRow)).generatedMaps[0] }));
        }
        return { leg, slices: rows };
      });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  /** The slices of a sliced leg, first to last. */
  slicesOf(leg: Pick<Leg, 'id'>): Promise<Leg[]> {
    return this.legs.find({ where: { sliceOf: leg.id }, order: { slice: 'ASC' } });
  }

  /**
   * An autoslice request's parent order id (Kite's answer, or an order whose `tags` name it): kept on the leg, once.
   * False when the leg already has another: a second request for one leg, which the caller alerts on.
   */
  async setAutosliceParent(leg: Leg, parentId: string): Promise<boolean> {
    if (leg.autosliceParentId === parentId) return true;
    // On the leg and its slices (recovery reads it per slice), in one transaction.
    const set = await this.writes.run(async (m) => {
      const result = await m.update(Leg, { id: leg.id, autosliceParentId: IsNull() }, { autosliceParentId: parentId });
      if (!result.affected) return false;
      await m.update(Leg, { sliceOf: leg.id }, { autosliceParentId: parentId });
      return true;
    });
    const now = set ? parentId : (await this.legs.findOneByOrFail({ id: leg.id })).autosliceParentId;
    leg.autosliceParentId = now;
    return now === parentId;
  }

  /**
   * A slice moved: its leg's state follows (slicedLegStatus). Read and written in one write transaction; any later
   * move of a slice derives it again, so a stale write heals itself.
   */
  private async afterSliceMove(slice: Pick<Leg, 'sliceOf'>): Promise<void> {
    if (slice.sliceOf === null || slice.sliceOf === undefined) return;
    const legId = slice.sliceOf;
    const change = await this.writes.run(
      async (m) => {
        const leg = await m.findOneBy(Leg, { id: legId });
        const slices = await m.find(Leg, { where: { sliceOf: legId }, select: { id: true, status: true, orderId: true }, order: { slice: 'ASC' } });
        const status = slicedLegStatus(slices.map((s) => s.status));
        if (!leg || leg.status === status) return null;
        await m.update(Leg, { id: legId }, { status });
        return {
          leg,
          status,
          orders: slices.flatMap((s) => (s.orderId ? [s.orderId] : [])),
          placed: slices.filter((s) => s.status === 'placed').length,
          of: slices.length,
        };
      },
      { durable: false },
    );
    if (!change) return;
    const { leg, status } = change;
    const name = `leg ${legLabel(leg)} for order ${leg.parentOrderId || '(none)'}`;
    if (status === 'placed')
      this.logger.log(
        { strategy: leg.strategy, chain: leg.chainId, tag: leg.tag },
        `${name} placed as ${change.of} slices: orders ${change.orders.join(', ')}`,
      );
    if (status === 'failed')
      this.logger.error(
        { strategy: leg.strategy, chain: leg.chainId, tag: leg.tag },
        `${name}: ${change.placed} of ${change.of} slices placed (orders ${change.orders.join(', ') || 'none'}); the others were not`,
      );
  }

  /**
   * Claim a leg to send it (again): only from `from` (intent, or unknown once its absence is proven), only while it
   * has no order, and only if nobody else holds an unexpired claim. Counts the attempt. The one place a claim is taken,
   * in one write transaction, with the leader's fencing epoch (several instances on PostgreSQL) checked in it too.
   */
  async claim(leg: Leg, from: LegStatus[]): Promise<boolean> {
    const now = new Date();
    const base: FindOptionsWhere<Leg> = { id: leg.id, status: In(from), orderId: IsNull() };
    const claimExpiresAt = this.leaseEnd(now);
    const claimed = await this.move(
      claimable(base, this.owner, now),
      { status: 'placing', claimedBy: this.owner, claimExpiresAt, attempts: () => '"attempts" + 1' },
      { durable: true, fenced: true },
    );
    if (claimed) {
      Object.assign(leg, { status: 'placing', attempts: leg.attempts + 1, claimedBy: this.owner, claimExpiresAt });
      await this.afterSliceMove(leg);
    }
    return claimed;
  }

  /** Right before a call goes out: extend our claim, or learn we lost it (it ran out while we waited in the queue). */
  async renew(leg: Leg): Promise<boolean> {
    const claimExpiresAt = this.leaseEnd();
    const renewed = await this.move({ id: leg.id, status: 'placing', claimedBy: this.owner }, { claimExpiresAt }, { fenced: true });
    if (renewed) leg.claimExpiresAt = claimExpiresAt;
    return renewed;
  }

  /**
   * An order carrying the leg's tag was seen (Kite's answer, the order book, an order update): link it, whatever the
   * leg's state. A second order for a leg that already has one is a duplicate, for the caller to deal with. `leg` may
   * be stale: the move is conditional, and on a miss the row is read again.
   */
  async sighted(leg: Leg, orderId: string, via: LegSighting): Promise<Sighting> {
    if (sightingDecision(leg, orderId) === 'link') {
      const was = leg.status;
      const linked = await this.writes
        .run((m) => this.linkOrder.all({ id: leg.id, orderId, from: statesBefore('placed'), now: new Date() }, m), { durable: false })
        .then((rows) => rows.length > 0);
      if (linked) {
        leg = { ...leg, status: 'placed', orderId, claimedBy: null, claimExpiresAt: null };
        this.announcePlaced(leg, orderId, via, was);
        await this.afterSliceMove(leg);
        return { decision: 'linked', leg };
      }
      leg = await this.legs.findOneByOrFail({ id: leg.id }); // linked meanwhile (another channel, another instance)
    }
    return { decision: sightingDecision(leg, orderId) === 'same' ? 'same' : 'duplicate', leg };
  }

  /** Kite's answer was unclear: unknown until evidence settles it. Only from our own call in flight. */
  async markUnknown(leg: Leg, error: KiteErrorInfo): Promise<boolean> {
    const now = new Date();
    const moved = await this.move(
      { id: leg.id, status: 'placing', orderId: IsNull(), claimedBy: this.owner },
      { status: 'unknown', unclearAt: now, claimedBy: null, claimExpiresAt: null, errorType: error.errorType, lastError: error.message },
      { durable: true },
    );
    if (moved) {
      const settleBy = settleDeadline(now, this.config.get('broker', { infer: true }).settleWindowMs);
      this.logger.warn(
        { strategy: leg.strategy, chain: leg.chainId, tag: leg.tag },
        `leg ${legLabel(leg)}: Kite's answer was unclear (${error.message}); it waits for its order (tag ${leg.tag}) ` +
          `to show on any channel, and is not sent again unless the order book still lacks it after ${settleBy.toISOString()}`,
      );
      this.publish(LegEventName.Unknown, new LegUnknownEvent(refOf(leg), error.errorType, error.message, settleBy));
      await this.afterSliceMove(leg);
    }
    return moved;
  }

  /**
   * A claim ran out while its leg was placing: its sender died mid-call (or lost the database), so whether Kite took
   * the order is unknown from now. Only if the claim is still the expired one we saw.
   */
  async expireClaim(leg: Leg, now = new Date()): Promise<boolean> {
    const claim = leg.claimedBy === null ? { claimedBy: IsNull() } : { claimedBy: leg.claimedBy, claimExpiresAt: LessThan(now) };
    const moved = await this.move(
      [
        { id: leg.id, status: 'placing', orderId: IsNull(), ...claim },
        { id: leg.id, status: 'unknown', orderId: IsNull(), unclearAt: IsNull() }, // unknown from an older version, no time kept
      ],
      { status: 'unknown', unclearAt: now, claimedBy: null, claimExpiresAt: null },
      { durable: true },
    );
    if (moved) await this.afterSliceMove(leg);
    return moved;
  }

  /** Refused for good, or proven absent with no attempts left. Durable: a lost mark would make recovery send it later. */
  async markFailed(leg: Leg, error: KiteErrorInfo, from: LegStatus[] = ['placing']): Promise<boolean> {
    const moved = await this.move(
      { id: leg.id, status: In(from), orderId: IsNull() },
      { status: 'failed', errorType: error.errorType, lastError: error.message, claimedBy: null, claimExpiresAt: null },
      { durable: true },
    );
    if (moved) {
      this.logger.error(
        { strategy: leg.strategy, chain: leg.chainId, tag: leg.tag, reason: error.errorType },
        `leg ${legLabel(leg)} for order ${leg.parentOrderId || '(none)'} not placed: ${error.message}`,
      );
      this.publish(LegEventName.Failed, new LegFailedEvent(refOf(leg), error.errorType, error.message));
      await this.afterSliceMove(leg);
    }
    return moved;
  }

  leaseEnd(now = new Date()): Date {
    return new Date(now.getTime() + this.config.get('broker', { infer: true }).claimLeaseMs);
  }

  /** One conditional UPDATE; true if it matched the leg (the move was made). */
  private async move(
    where: FindOptionsWhere<Leg> | FindOptionsWhere<Leg>[],
    values: Parameters<EntityManager['update']>[2],
    options: { durable?: boolean; fenced?: boolean } = {},
  ): Promise<boolean> {
    // Not fsynced unless asked: a lost link or lease is found again from Kite; what must survive power loss asks.
    const result = await this.writes.run(
      async (m) => {
        // A move that lets an order out: only the leader at its epoch, checked in the same transaction.
        if (options.fenced && !(await this.leadership.fence(m))) return { affected: 0 };
        return m.update(Leg, where, values);
      },
      { durable: options.durable ?? false },
    );
    return (result.affected ?? 0) > 0;
  }

  /**
   * In a transaction that records something already claimed by us (a leg, a GTT): refused unless this instance leads
   * at its epoch (several instances on PostgreSQL; always passes on SQLite).
   */
  async fence(m: EntityManager, action: string): Promise<void> {
    if (!(await this.leadership.fence(m))) throw new NotLeaderError(action);
  }

  /** For a conditional move that lets an order out: true if this instance leads at its epoch (same transaction). */
  leads(m: EntityManager): Promise<boolean> {
    return this.leadership.fence(m);
  }

  private announcePlaced(leg: Leg, orderId: string, via: LegSighting, was: LegStatus): void {
    const how = {
      placement: '',
      'oms-lookup': ' (found in the order book by tag)',
      'order-update': ' (seen in an order update by tag)',
      'gtt-trigger': ' (fired by its GTT at Kite)',
    }[via];
    this.logger.log({ strategy: leg.strategy, chain: leg.chainId, tag: leg.tag, orderId }, `leg ${legLabel(leg)} placed as order ${orderId}${how}`);
    if (was === 'failed') {
      this.notifier.notify({
        title: `Leg given up has an order after all: ${leg.strategy}/${leg.legName}`,
        text: `Order ${orderId} carries the tag ${leg.tag} of a leg that had been marked not placed (${leg.lastError ?? leg.errorType ?? 'no reason'}). It is now linked to the leg; check the position.`,
        severity: 'critical',
        fields: { strategy: leg.strategy, chain: leg.chainId, order: orderId, tag: leg.tag },
      });
    }
    this.publish(LegEventName.Placed, new LegPlacedEvent(refOf(leg), orderId, via));
  }

  private publish(name: string, event: LegPlacedEvent | LegFailedEvent | LegUnknownEvent): void {
    this.bus.emitAsync(name, event).catch((error) => this.logger.error(`listener failed on ${name}: ${errorText(error)}`));
  }
}

/**
 * The WHERE of taking a claim on a row with `claimedBy`/`claimExpiresAt` (legs, GTTs): nobody holds it, its holder's
 * lease has run out, or we hold it already.
 */
export function claimable<T extends { claimedBy: string | null; claimExpiresAt: Date | null }>(
  base: FindOptionsWhere<T>,
  owner: string,
  now: Date,
): FindOptionsWhere<T>[] {
  return [
    { ...base, claimedBy: IsNull() },
    { ...base, claimExpiresAt: LessThan(now) },
    { ...base, claimedBy: owner },
  ] as FindOptionsWhere<T>[];
}

/** A leg as log lines name it: strategy/leg, and the slice when it is one. */
export function legLabel(leg: Pick<Leg, 'strategy' | 'legName' | 'slice'>): string {
  return `${leg.strategy}/${leg.legName}${leg.slice > 0 ? ` slice ${leg.slice}` : ''}`;
}

export function refOf(leg: Leg): LegRef {
  return {
    legId: leg.id,
    strategy: leg.strategy,
    chainId: leg.chainId,
    parentOrderId: leg.parentOrderId,
    legName: leg.legName,
    tag: leg.tag,
    slice: leg.slice ?? 0,
  };
}
