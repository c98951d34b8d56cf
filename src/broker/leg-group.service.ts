import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Leadership } from '../leadership/leadership';
import { ConfigService } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { isUniqueViolation } from '../database/unique-violation';
import { WriteTransactions } from '../database/write-transactions';
import { LegEventName, LegFailedEvent } from '../events/leg.events';
import { OrderEventName } from '../events/order-event-names';
import type { AnyOrderEvent } from '../events/order.events';
import { Notifier } from '../notifier/notifier.service';
import { Order } from '../orders/entities/order.entity';
import { LegGroup } from './entities/leg-group.entity';
import { Leg } from './entities/leg.entity';
import { orderPhase } from './leg-state.machine';
import { isLegTag } from './leg-tag';
import { OrderGateway } from './order-gateway.service';
import type { LegOrder, Variety } from './leg-order';

export interface GroupLeg {
  legName: string;
  order: LegOrder;
  /** Hedges: placed first when entering, last when exiting. Default: the BUY legs of an entry, the SELL legs of an exit. */
  protective?: boolean;
}

export interface PlaceGroupRequest {
  strategy: string;
  parentOrderId: string;
  /** Unique per strategy and parent order, like a leg name. */
  name: string;
  legs: GroupLeg[];
  /** entry: protective legs first; exit: protective legs last. */
  direction?: 'entry' | 'exit';
  /** How long the first wave may take to fill before the group unwinds. Default LEG_GROUP_FILL_TIMEOUT_SECONDS (60 s). */
  fillTimeoutMs?: number;
  chainId?: string;
  triggerEventId?: number;
}

const SWEEP_MS = 2_000;

/** The reversal legs of a first-wave leg: `<group>/<leg>:unwind`, then `:unwind2`, `:unwind3`, … */
const reversalName = (legName: string, attempt: number) => `${legName}:unwind${attempt === 1 ? '' : attempt}`;

/**
 * Hedge-aware multi-leg orders. The first wave (protective legs on entry, the rest on exit) is placed at once; the
 * second only when every first-wave order is COMPLETE. If a first-wave leg is refused, rejected or cancelled, or not
 * filled by the deadline, the group unwinds: open first-wave orders are cancelled and filled quantities are reversed
 * with opposite MARKET legs — every leg through the gateway, so exactly-once and the rails apply (the kill switch lets
 * these reversals through: they take risk off) — and an alert goes out. The group is unwound when the reversing orders
 * have filled; a reversal rejected or filled only in part is followed by another for what is left, up to
 * LEG_GROUP_UNWIND_ATTEMPTS, then a critical alert names what is still open and the group stays unwinding.
 */
@Injectable()
export class LegGroupService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('LegGroups');
  private sweep: NodeJS.Timeout | undefined;
  private readonly busy = new Set<number>();
  /** Cancellations this process already asked for while unwinding (asking again after a restart is harmless). */
  private readonly cancelAsked = new Set<string>();
  /** Groups whose "unwinding" alert this process already sent. */
  private readonly unwindAlerted = new Set<number>();
  /** Groups whose "reversal failed, act by hand" alert this process already sent. */
  private readonly escalated = new Set<number>();
  /** Groups asked to advance while busy: advanced once more when the current decision is done. */
  private readonly again = new Set<number>();

  constructor(
    @InjectRepository(LegGroup) private readonly groups: Repository<LegGroup>,
    @InjectRepository(Leg) private readonly legs: Repository<Leg>,
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    private readonly gateway: OrderGateway,
    private readonly writes: WriteTransactions,
    private readonly notifier: Notifier,
    private readonly config: ConfigService<LegworkConfig, true>,
    private readonly leadership: Leadership,
  ) {}

  onModuleInit(): void {
    // Deadlines survive restarts: waiting groups are re-checked on a timer (and on every event of their legs).
    this.sweep = setInterval(() => void (this.leadership.isLeader() && this.advanceWaiting()), SWEEP_MS);
    this.sweep.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweep);
  }

  async placeGroup(request: PlaceGroupRequest): Promise<LegGroup> {
    const direction = request.direction ?? 'entry';
    try {
      const group = await this.writes.run((m) =>
        m.save(
          m.create(LegGroup, {
            strategy: request.strategy,
            parentOrderId: request.parentOrderId,
            name: request.name,
            direction,
            status: 'waiting',
            spec: JSON.stringify({ legs: request.legs, chainId: request.chainId ?? null, triggerEventId: request.triggerEventId ?? null }),
            deadline: new Date(Date.now() + (request.fillTimeoutMs ?? this.config.get('broker', { infer: true }).groupFillTimeoutSeconds * 1000)),
            reason: null,
          }),
        ),
      );
      await this.placeWave(group, 1);
      await this.advance(group.id);
      return this.groups.findOneByOrFail({ id: group.id });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Asked again (redelivered event, restart): the group exists; its legs are exactly-once anyway.
      const existing = await this.groups.findOneByOrFail({ strategy: request.strategy, parentOrderId: request.parentOrderId, name: request.name });
      await this.advance(existing.id);
      return this.groups.findOneByOrFail({ id: existing.id });
    }
  }

  /** Any event of an order that is a leg of a waiting group may move the group on. */
  @OnEvent(OrderEventName.Filled)
  @OnEvent(OrderEventName.Completed)
  @OnEvent(OrderEventName.Rejected)
  @OnEvent(OrderEventName.Cancelled)
  async onOrderEvent(event: AnyOrderEvent): Promise<void> {
    if (!isLegTag(event.order.tag)) return;
    const group = await this.groupOfLegTag(event.order.tag);
    if (group && isOpen(group)) await this.advance(group.id).catch((e) => this.logger.error(`group ${group.name}: ${errorText(e)}`));
  }

  @OnEvent(LegEventName.Failed)
  async onLegFailed(event: LegFailedEvent): Promise<void> {
    const group = await this.groupOfLegTag(event.leg.tag);
    if (group && isOpen(group)) await this.advance(group.id).catch((e) => this.logger.error(`group ${group.name}: ${errorText(e)}`));
  }

  private async advanceWaiting(): Promise<void> {
    try {
      for (const group of await this.groups.findBy({ status: In(['waiting', 'unwinding']) })) await this.advance(group.id);
    } catch (error) {
      this.logger.error(`waiting groups not checked: ${errorText(error)}`);
    }
  }

  /** Decide: wait, place the second wave, or unwind. One decision per group at a time. */
  async advance(groupId: number): Promise<void> {
    if (this.busy.has(groupId)) {
      this.again.add(groupId); // e.g. a reversal's fill arriving while that reversal is being placed
      return;
    }
    this.busy.add(groupId);
    try {
      do {
        this.again.delete(groupId);
        await this.decide(groupId);
      } while (this.again.has(groupId));
    } finally {
      this.busy.delete(groupId);
    }
  }

  private async decide(groupId: number): Promise<void> {
    const group = await this.groups.findOneByOrFail({ id: groupId });
    if (group.status === 'unwinding') return await this.continueUnwind(group);
    if (group.status !== 'waiting') return;
    const first = await this.waveLegs(group, 1);
    const units = await this.unitsOf(first);
    const orders = await this.ordersOf(units);
    const problem = units
      .map((unit) => {
        if (unit.status === 'failed' && !unit.orderId) return `${unitName(unit)} was not placed (${unit.errorType}: ${unit.lastError})`;
        const order = unit.orderId ? orders.get(unit.orderId) : undefined;
        if (order && orderPhase(order.status) === 'ended')
          return `${unitName(unit)} was ${order.status}${order.statusMessage ? `: ${order.statusMessage}` : ''}`;
        return null;
      })
      .find(Boolean);
    if (problem) return await this.startUnwind(group, problem);
    // Every leg recorded, and every order it placed (one, or one per slice) filled.
    const complete =
      first.length === this.wave(group, 1).length && units.every((unit) => unit.orderId && orderPhase(orders.get(unit.orderId)?.status ?? '') === 'filled');
    if (complete) {
      await this.placeWave(group, 2);
      await this.setStatus(group, 'done', null);
      this.logger.log({ strategy: group.strategy }, `group ${group.name}: first wave filled, second wave placed`);
      return;
    }
    if (Date.now() > group.deadline.getTime()) {
      await this.startUnwind(group, `first wave not filled by ${group.deadline.toISOString()}`);
    }
  }

  /** Persist the decision first: after a restart the sweep carries on with the unwind, never with the second wave. */
  private async startUnwind(group: LegGroup, reason: string): Promise<void> {
    await this.setStatus(group, 'unwinding', reason);
    group.status = 'unwinding';
    group.reason = reason;
    this.logger.error({ strategy: group.strategy }, `group ${group.name} unwinds: ${reason}`);
    await this.continueUnwind(group);
  }

  /**
   * Cancel the first-wave orders still open, wait until every one is final (so the filled quantity is final too), then
   * reverse what filled with opposite MARKET legs — exactly once each (leg keys `<group>/<leg>:unwind`, `:unwind2`, …) —
   * and call the group unwound only once the reversing orders have filled.
   */
  private async continueUnwind(group: LegGroup): Promise<void> {
    const first = await this.waveLegs(group, 1);
    const units = await this.unitsOf(first);
    const orders = await this.ordersOf(units);
    if (!(await this.firstWaveFinal(group, units, orders))) {
      if (!this.unwindAlerted.has(group.id)) {
        this.unwindAlerted.add(group.id);
        this.notifier.notify({
          title: `Leg group unwinding: ${group.strategy}/${group.name}`,
          text: `${group.reason}. Cancelling the open protective orders; what filled is reversed once they are final.`,
          severity: 'critical',
          fields: { strategy: group.strategy, parent_order: group.parentOrderId },
        });
      }
      return;
    }

    const reversed: string[] = [];
    const stillOpen: string[] = [];
    let working = false;
    for (const leg of first) {
      // What filled of the leg: of its one order, or of all its slices' orders.
      const filled = units
        .filter((u) => u === leg || u.sliceOf === leg.id)
        .reduce((sum, u) => sum + ((u.orderId && orders.get(u.orderId)?.filledQuantity) || 0), 0);
      if (filled <= 0) continue;
      const state = await this.reverse(group, leg, filled);
      if (state.kind === 'reversed') reversed.push(state.what);
      else if (state.kind === 'working') working = true;
      else stillOpen.push(state.what);
    }
    if (stillOpen.length > 0) {
      if (!this.escalated.has(group.id)) {
        this.escalated.add(group.id);
        this.logger.error(
          { strategy: group.strategy },
          `group ${group.name}: reversal failed ${this.config.get('broker', { infer: true }).groupUnwindAttempts} times; still open: ${stillOpen.join(', ')}`,
        );
        this.notifier.notify({
          title: `Leg group NOT unwound: ${group.strategy}/${group.name}`,
          text: `${group.reason}. Still open, act by hand: ${stillOpen.join('; ')}.${reversed.length ? ` Reversed: ${reversed.join(', ')}.` : ''}`,
          severity: 'critical',
          fields: { strategy: group.strategy, parent_order: group.parentOrderId },
        });
      }
      return;
    }
    if (working) return; // a reversal is still working (or unsettled): unwound once it has filled

    await this.setStatus(group, 'unwound', group.reason);
    this.unwindAlerted.delete(group.id);
    this.escalated.delete(group.id);
    const parts = [`${group.reason}.`];
    parts.push(reversed.length ? `Reversed: ${reversed.join(', ')}.` : 'Nothing had filled.');
    this.notifier.notify({
      title: `Leg group unwound: ${group.strategy}/${group.name}`,
      text: parts.join(' '),
      severity: 'critical',
      fields: { strategy: group.strategy, parent_order: group.parentOrderId },
    });
  }

  /** Every first-wave order final (cancelling those still open), so what filled will not change any more. */
  private async firstWaveFinal(group: LegGroup, units: Leg[], orders: Map<string, Order>): Promise<boolean> {
    let final = true;
    for (const leg of units) {
      if (leg.status === 'failed' && !leg.orderId) continue; // never placed (should its order show late, it is linked and seen here)
      if (!leg.orderId) {
        final = false; // placement unknown: evidence settles it first (leg recovery)
        continue;
      }
      const order = orders.get(leg.orderId);
      if (order && orderPhase(order.status) !== 'working') continue;
      // Still open, or open without any update stored yet (Kite sends no postback for a plain OPEN order).
      final = false;
      if (!this.cancelAsked.has(leg.orderId)) {
        this.cancelAsked.add(leg.orderId);
        const variety = order?.variety ?? (JSON.parse(leg.request) as LegOrder).variety ?? 'regular';
        const orderId = leg.orderId;
        await this.gateway.cancelOrder(variety as Variety, orderId).catch((e) => {
          this.cancelAsked.delete(orderId); // asked again on the next pass (an order already final refuses: harmless)
          this.logger.error(`group ${group.name}: cancel ${orderId}: ${errorText(e)}`);
        });
      }
    }
    return final;
  }

  /**
   * Where the reversal of one filled first-wave leg stands: filled in total (`reversed`), a reversing order still
   * working or unsettled (`working`), or out of attempts with quantity left (`stuck`). Sends the next reversal for what
   * is left when the last one ended short (rejected, cancelled, partly filled) and attempts remain.
   */
  private async reverse(group: LegGroup, leg: Leg, filled: number): Promise<{ kind: 'reversed' | 'working' | 'stuck'; what: string }> {
    const sent = JSON.parse(leg.request) as LegOrder;
    const side = sent.transaction_type === 'BUY' ? 'SELL' : 'BUY';
    const maxAttempts = this.config.get('broker', { infer: true }).groupUnwindAttempts;
    const names = Array.from({ length: maxAttempts }, (_, i) => reversalName(leg.legName, i + 1));
    const reversals = (await this.legs.findBy({ strategy: group.strategy, parentOrderId: group.parentOrderId, legName: In(names), slice: 0 })).sort(
      (a, b) => names.indexOf(a.legName) - names.indexOf(b.legName),
    );
    // A reversal above the freeze limit is sent as slices too: its orders are its slices'.
    const reversalOrders = await this.unitsOf(reversals);
    const orders = await this.ordersOf(reversalOrders);
    let done = 0;
    let working = false;
    for (const reversal of reversalOrders) {
      const order = reversal.orderId ? orders.get(reversal.orderId) : undefined;
      done += order?.filledQuantity ?? 0;
      if (reversal.status === 'failed' && !reversal.orderId) continue;
      if (!order || orderPhase(order.status) === 'working') working = true;
    }
    const left = filled - done;
    if (left <= 0) return { kind: 'reversed', what: `${side} ${filled} ${sent.tradingsymbol}` };
    if (working) return { kind: 'working', what: '' };
    if (reversals.length >= maxAttempts) {
      const lastLeg = reversals.at(-1)!;
      // The last reversal's last order (or slice) that did not fill, to say why.
      const lastUnits = reversalOrders.filter((u) => u === lastLeg || u.sliceOf === lastLeg.id);
      const last = lastUnits.find((u) => !u.orderId || orders.get(u.orderId)?.status !== 'COMPLETE') ?? lastUnits.at(-1)!;
      const lastOrder = last.orderId ? orders.get(last.orderId) : undefined;
      const why = lastOrder ? `${lastOrder.status}${lastOrder.statusMessage ? `: ${lastOrder.statusMessage}` : ''}` : `${last.errorType}: ${last.lastError}`;
      return { kind: 'stuck', what: `${side} ${left} ${sent.tradingsymbol} (last reversal ${why})` };
    }
    if (reversals.length > 0)
      this.logger.warn(
        { strategy: group.strategy },
        `group ${group.name}: ${left} of ${sent.tradingsymbol} not reversed yet; sending reversal ${reversals.length + 1}`,
      );
    await this.gateway.placeRiskReducingLeg({
      strategy: group.strategy,
      parentOrderId: group.parentOrderId,
      legName: names[reversals.length],
      groupId: group.id,
      order: {
        variety: sent.variety,
        exchange: sent.exchange,
        tradingsymbol: sent.tradingsymbol,
        product: sent.product,
        quantity: left,
        transaction_type: side,
        order_type: 'MARKET',
        market_protection: -1,
      },
      chainId: leg.chainId,
    });
    return { kind: 'working', what: '' }; // the next pass sees how it went
  }

  /** Wave 1 is placed first: protective legs on entry, the others on exit. */
  private wave(group: LegGroup, n: 1 | 2): GroupLeg[] {
    const legs = (JSON.parse(group.spec) as { legs: GroupLeg[] }).legs;
    // Default: on entry the BUYs are the hedges; on exit the SELLs are (the hedges being closed).
    const protective = (l: GroupLeg) => l.protective ?? l.order.transaction_type === (group.direction === 'entry' ? 'BUY' : 'SELL');
    const firstIsProtective = group.direction === 'entry';
    return legs.filter((l) => (protective(l) === firstIsProtective) === (n === 1));
  }

  private async placeWave(group: LegGroup, n: 1 | 2): Promise<void> {
    const { chainId, triggerEventId } = JSON.parse(group.spec) as { chainId: string | null; triggerEventId: number | null };
    for (const leg of this.wave(group, n)) {
      await this.gateway.placeLeg({
        strategy: group.strategy,
        parentOrderId: group.parentOrderId,
        legName: `${group.name}/${leg.legName}`,
        groupId: group.id,
        order: leg.order,
        ...(chainId ? { chainId } : {}),
        ...(triggerEventId !== null ? { triggerEventId } : {}),
      });
    }
  }

  private async waveLegs(group: LegGroup, n: 1 | 2): Promise<Leg[]> {
    const names = this.wave(group, n).map((l) => `${group.name}/${l.legName}`);
    if (names.length === 0) return [];
    return this.legs.findBy({ strategy: group.strategy, parentOrderId: group.parentOrderId, legName: In(names), slice: 0 });
  }

  /**
   * The rows that carry these legs' orders: each leg itself, or — for a leg sent as slices (above the freeze limit) —
   * its slices, each placed, filled, rejected or cancelled on its own.
   */
  private async unitsOf(legs: Leg[]): Promise<Leg[]> {
    const sliced = legs.filter((l) => l.slices > 0).map((l) => l.id);
    const slices = sliced.length > 0 ? await this.legs.find({ where: { sliceOf: In(sliced) }, order: { slice: 'ASC' } }) : [];
    return legs.flatMap((l) => (l.slices > 0 ? slices.filter((s) => s.sliceOf === l.id) : [l]));
  }

  private async ordersOf(legs: Leg[]): Promise<Map<string, Order>> {
    const ids = legs.flatMap((l) => (l.orderId ? [l.orderId] : []));
    if (ids.length === 0) return new Map();
    return new Map((await this.orders.findBy({ orderId: In(ids) })).map((o) => [o.orderId, o]));
  }

  private async groupOfLegTag(tag: string): Promise<LegGroup | null> {
    const leg = await this.legs.findOneBy({ tag });
    return leg?.groupId ? this.groups.findOneBy({ id: leg.groupId }) : null;
  }

  private setStatus(group: LegGroup, status: LegGroup['status'], reason: string | null): Promise<unknown> {
    return this.writes.run((m) => m.update(LegGroup, { id: group.id }, { status, reason }));
  }
}

const isOpen = (group: LegGroup) => group.status === 'waiting' || group.status === 'unwinding';

/** A leg, or one slice of it, as alerts name it. */
const unitName = (unit: Leg) => (unit.slice > 0 ? `${unit.legName} (slice ${unit.slice})` : unit.legName);
