import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, FindOptionsWhere, In, IsNull, LessThan, Repository } from 'typeorm';
import type { KiteErrorInfo } from '../broker/kite-error';
import { claimable, LegLedger } from '../broker/leg-ledger';
import { errorText } from '../common/error-text';
import { isUniqueViolation } from '../database/unique-violation';
import { WriteTransactions } from '../database/write-transactions';
import { GttChangedEvent, GttEventName, GttRef } from '../events/gtt.events';
import { Gtt } from './entities/gtt.entity';
import { GttStatus, KiteGttStatus } from './gtt-state';

export type NewGtt = Pick<Gtt, 'strategy' | 'chainId' | 'parentOrderId' | 'name' | 'type' | 'exchange' | 'tradingsymbol' | 'request' | 'triggerEventId'>;

/**
 * Every write of a GTT's state, each one a conditional UPDATE from the states it allows (as LegLedger does for legs),
 * so two instances, or an instance and a late answer, never both win. Claims use the legs' owner and lease.
 */
@Injectable()
export class GttLedger {
  private readonly logger = new Logger('Gtts');

  constructor(
    @InjectRepository(Gtt) private readonly gtts: Repository<Gtt>,
    private readonly writes: WriteTransactions,
    private readonly legs: LegLedger,
    private readonly bus: EventEmitter2,
  ) {}

  get owner(): string {
    return this.legs.owner;
  }

  /** Recorded, claimed by us and counted as its first attempt, before Kite is called. Null: asked for before. */
  async record(values: NewGtt): Promise<Gtt | null> {
    const row = {
      ...values,
      status: 'placing' as const,
      triggerId: null,
      attempts: 1,
      claimedBy: this.owner,
      claimExpiresAt: this.legs.leaseEnd(),
      deleteRequested: false,
    };
    try {
      return await this.writes.run(async (m) => {
        await this.legs.fence(m, 'recording a GTT');
        return m.create(Gtt, { ...row, ...(await m.insert(Gtt, row)).generatedMaps[0] });
      });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  /** Claim it to send it (again): only from `from`, only without a trigger id, only if nobody else holds it. */
  async claim(gtt: Gtt, from: GttStatus[]): Promise<boolean> {
    const now = new Date();
    const claimExpiresAt = this.legs.leaseEnd(now);
    const claimed = await this.move(
      claimable<Gtt>({ id: gtt.id, status: In(from), triggerId: IsNull() }, this.owner, now),
      { status: 'placing', claimedBy: this.owner, claimExpiresAt, attempts: () => '"attempts" + 1' },
      { durable: true, fenced: true },
    );
    if (claimed) Object.assign(gtt, { status: 'placing', attempts: gtt.attempts + 1, claimedBy: this.owner, claimExpiresAt });
    return claimed;
  }

  async renew(gtt: Gtt): Promise<boolean> {
    const claimExpiresAt = this.legs.leaseEnd();
    const renewed = await this.move({ id: gtt.id, status: 'placing', claimedBy: this.owner }, { claimExpiresAt }, { fenced: true });
    if (renewed) gtt.claimExpiresAt = claimExpiresAt;
    return renewed;
  }

  /**
   * Kite has it: its trigger id (from the answer, or found by what it is after an unclear one). From any state without a
   * trigger id. False when another row already holds that trigger id (unique), or the row has one already.
   */
  async linked(gtt: Gtt, triggerId: number, status: KiteGttStatus, kiteUpdatedAt: string | null, via: string): Promise<boolean> {
    const was = gtt.status;
    let moved: boolean;
    try {
      moved = await this.move(
        { id: gtt.id, triggerId: IsNull() },
        { triggerId, status, kiteUpdatedAt, claimedBy: null, claimExpiresAt: null, errorType: null, lastError: null },
        { durable: true },
      );
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
    if (moved) {
      Object.assign(gtt, { triggerId, status, kiteUpdatedAt, claimedBy: null, claimExpiresAt: null });
      this.logger.log(
        { strategy: gtt.strategy, chain: gtt.chainId, triggerId },
        `GTT ${gtt.strategy}/${gtt.name} is at Kite as trigger ${triggerId} (${status}${via ? `, ${via}` : ''})`,
      );
      this.publish(gtt, was, status, was === 'failed' ? 'found at Kite after it had been given up' : null);
    }
    return moved;
  }

  async markUnknown(gtt: Gtt, error: KiteErrorInfo): Promise<boolean> {
    const moved = await this.move(
      { id: gtt.id, status: 'placing', triggerId: IsNull(), claimedBy: this.owner },
      { status: 'unknown', unclearAt: new Date(), claimedBy: null, claimExpiresAt: null, errorType: error.errorType, lastError: error.message },
      { durable: true },
    );
    if (moved) {
      this.logger.warn(
        { strategy: gtt.strategy, chain: gtt.chainId },
        `GTT ${gtt.strategy}/${gtt.name}: Kite's answer was unclear (${error.message}); it is looked for in Kite's GTT list before anything is sent again`,
      );
      this.publish(gtt, 'placing', 'unknown', error.message);
    }
    return moved;
  }

  /** Its sender's claim ran out mid-call: whether Kite took it is unknown from now. */
  expireClaim(gtt: Gtt, now = new Date()): Promise<boolean> {
    const claim = gtt.claimedBy === null ? { claimedBy: IsNull() } : { claimedBy: gtt.claimedBy, claimExpiresAt: LessThan(now) };
    return this.move(
      [
        { id: gtt.id, status: 'placing', triggerId: IsNull(), ...claim },
        { id: gtt.id, status: 'unknown', triggerId: IsNull(), unclearAt: IsNull() },
      ],
      { status: 'unknown', unclearAt: now, claimedBy: null, claimExpiresAt: null },
      { durable: true },
    );
  }

  async markFailed(gtt: Gtt, error: KiteErrorInfo, from: GttStatus[] = ['placing']): Promise<boolean> {
    const moved = await this.move(
      { id: gtt.id, status: In(from), triggerId: IsNull() },
      { status: 'failed', errorType: error.errorType, lastError: error.message, claimedBy: null, claimExpiresAt: null },
      { durable: true },
    );
    if (moved) {
      this.logger.error(
        { strategy: gtt.strategy, chain: gtt.chainId, reason: error.errorType },
        `GTT ${gtt.strategy}/${gtt.name} for order ${gtt.parentOrderId || '(none)'} not placed: ${error.message}`,
      );
      this.publish(gtt, gtt.status, 'failed', `${error.errorType}: ${error.message}`);
    }
    return moved;
  }

  /** A status read from Kite (or set by our own delete), only if the row still has the status we saw. */
  async setStatus(gtt: Gtt, to: KiteGttStatus, kiteUpdatedAt: string | null, reason: string | null = null): Promise<boolean> {
    const from = gtt.status;
    if (from === to && gtt.kiteUpdatedAt === kiteUpdatedAt) return false;
    const moved = await this.move({ id: gtt.id, status: from }, { status: to, kiteUpdatedAt });
    if (moved) {
      Object.assign(gtt, { status: to, kiteUpdatedAt });
      if (from !== to) this.publish(gtt, from, to, reason);
    }
    return moved;
  }

  /** Cancelled while unsettled: deleted once found, never sent again. */
  async requestDelete(gtt: Gtt): Promise<void> {
    await this.move({ id: gtt.id }, { deleteRequested: true }, { durable: true });
    gtt.deleteRequested = true;
  }

  /** A modification Kite accepted: what it has now. */
  async replaceRequest(gtt: Gtt, request: string): Promise<void> {
    await this.move({ id: gtt.id, triggerId: gtt.triggerId ?? -1 }, { request }, { durable: true });
    gtt.request = request;
  }

  private async move(
    where: FindOptionsWhere<Gtt> | FindOptionsWhere<Gtt>[],
    values: Parameters<EntityManager['update']>[2],
    options: { durable?: boolean; fenced?: boolean } = {},
  ): Promise<boolean> {
    // fenced: a claim that lets a GTT out to Kite, only by the leader at its epoch (checked in the same transaction).
    const result = await this.writes.run(async (m) => (options.fenced && !(await this.legs.leads(m)) ? { affected: 0 } : m.update(Gtt, where, values)), {
      durable: options.durable ?? false,
    });
    return (result.affected ?? 0) > 0;
  }

  private publish(gtt: Gtt, from: string, to: string, reason: string | null): void {
    const event = new GttChangedEvent(gttRef(gtt), from, to, reason);
    this.bus.emitAsync(GttEventName.Changed, event).catch((error) => this.logger.error(`listener failed on ${GttEventName.Changed}: ${errorText(error)}`));
  }
}

export function gttRef(gtt: Gtt): GttRef {
  return { gttId: gtt.id, strategy: gtt.strategy, chainId: gtt.chainId, parentOrderId: gtt.parentOrderId, name: gtt.name, triggerId: gtt.triggerId };
}
