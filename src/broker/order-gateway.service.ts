import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { Leadership, NotLeaderError } from '../leadership/leadership';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { In, Repository } from 'typeorm';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import type { LegSighting } from '../events/leg.events';
import { KITE_CLIENT, KiteClient } from '../kite-session/kite-client.provider';
import { Metric } from '../metrics/metrics';
import { Notifier } from '../notifier/notifier.service';
import { Leg } from './entities/leg.entity';
import { classifyKiteError, KiteErrorInfo } from './kite-error';
import { legLabel, LegLedger, NewLeg } from './leg-ledger';
import { LegLookup } from './leg-lookup';
import { isCancellable, outcomeOf } from './leg-state.machine';
import type { KiteOrderRow, LegOrder, LegOutcome, PlaceLegRequest, Variety } from './leg-order';
import { isLegTag, legTag } from './leg-tag';
import { CurrentOrder, OrderRails, ORDER_RAILS, PlacementRefusedError } from './order-rails';
import { SlicedPlan, SlicePlanner } from './slice-planner';
import { textOf } from '../common/text-of';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A claim with more than this left (or half the lease, if shorter) needs no renewal before a call: nobody can take it
 * before it expires, and the call (kiteconnect gives up after 7 s) mostly ends within it. Saves a write per leg on the
 * hot path. Should a call outlive the claim, another instance finds the leg placing with an expired claim and makes it
 * unknown — which is never sent again before its settle window — so a slow call cannot lead to a second order.
 */
const CALL_BUDGET_MS = 10_000;

/** A 429 is sent again (same claim, through the rails again) at most this often, waiting 1 s, 2 s, … between. */
const RATE_LIMITED_RESENDS = 5;
const RATE_LIMIT_BACKOFF_MS = 1_000;

/** An order seen with a leg tag: from Kite's book or history (a row), or from an order update (a snapshot). */
export interface TaggedOrder {
  tag: string;
  orderId: string;
  status: string;
  variety?: string | null;
  /** Kite's `tags` and quantity, when the order was read from the book (an autoslice slice is told by `autoslice:<parent>`). */
  tags?: string[];
  quantity?: number;
}

/** Every tag an order row carries: its `tag` and Kite's `tags` array (autoslice slices: `autoslice`, `autoslice:<parent>`). */
function tagsOf(row: { tag?: unknown; tags?: unknown }): string[] {
  const tags = Array.isArray(row.tags) ? (row.tags as unknown[]) : [];
  return [row.tag, ...tags].filter((t): t is string => typeof t === 'string');
}

/** The parent order id an autoslice slice names in its tags (`autoslice:<parent>`), if any. */
function autosliceParentOf(tags: readonly string[]): string | null {
  const named = tags.find((t) => t.startsWith('autoslice:'));
  return named ? named.slice('autoslice:'.length) : null;
}

const quantityOf = (leg: Pick<Leg, 'request'>): number => Number((JSON.parse(leg.request) as LegOrder).quantity);

/**
 * The one door to Kite for order actions. Every strategy places, modifies and cancels through here, so exactly-once
 * leg placement and the safety rails cannot be bypassed.
 *
 * Exactly-once: the leg is recorded (unique strategy + parent order + leg name, durable) and claimed by this instance
 * before Kite is called, with a tag derived from that key. A repeat of the request hits the unique key and sends
 * nothing. An unclear answer leaves the leg unknown: it is settled only by evidence — an order with its tag seen on any
 * channel — or by the order book still lacking the tag after the settle window (leg-state.machine.ts, LegRecoveryService).
 */
@Injectable()
export class OrderGateway {
  private readonly logger = new Logger(OrderGateway.name);
  /** Legs this process is sending right now. An accelerator for recovery; the claim in the database is the guarantee. */
  private readonly inFlight = new Set<number>();
  /**
   * Autoslice legs whose request is out and whose answer is not yet applied: the answer says which order each slice is,
   * so sightings wait for it (or, if it is unclear, for the order book read that follows).
   */
  private readonly awaitingAnswer = new Set<number>();
  /** Duplicates this process already alerted on (legId:orderId). */
  private readonly duplicatesSeen = new Set<string>();

  constructor(
    @Inject(KITE_CLIENT) private readonly kite: KiteClient,
    @InjectRepository(Leg) private readonly legs: Repository<Leg>,
    private readonly ledger: LegLedger,
    private readonly notifier: Notifier,
    private readonly config: ConfigService<LegworkConfig, true>,
    @Inject(ORDER_RAILS) private readonly rails: OrderRails,
    @InjectMetric(Metric.Orders) private readonly orders: Counter<string>,
    private readonly slicePlanner: SlicePlanner,
    private readonly leadership: Leadership,
    private readonly legLookup: LegLookup,
  ) {}

  /** Place a leg exactly once. Resolves (never rejects for Kite errors) with what happened. */
  placeLeg(request: PlaceLegRequest): Promise<LegOutcome> {
    return this.record(request, false);
  }

  /**
   * legwork's own risk-reducing orders (a hedge group's reversal): the same exactly-once leg, which the kill switch lets
   * through. Not offered to strategies.
   */
  placeRiskReducingLeg(request: PlaceLegRequest): Promise<LegOutcome> {
    return this.record(request, true);
  }

  private async record(request: PlaceLegRequest, reducesRisk: boolean): Promise<LegOutcome> {
    const { strategy, parentOrderId, legName } = request;
    const tag = legTag(strategy, parentOrderId, legName);
    const order: LegOrder & { tag: string } = { variety: 'regular', ...request.order, tag };
    const chainId = request.chainId ?? (await this.chainOf(parentOrderId));
    const values: NewLeg = {
      strategy,
      chainId,
      parentOrderId,
      legName,
      tag,
      request: JSON.stringify(order),
      triggerEventId: request.triggerEventId ?? null,
      reducesRisk,
      groupId: request.groupId ?? null,
    };
    // Above the exchange's freeze limit the leg is sent as slices (see "legs above the freeze limit" below).
    const sliced = await this.slicePlanner.plan(order);
    if (sliced) return this.recordSliced(values, sliced);
    const leg = await this.ledger.record(values);
    if (!leg) return this.alreadyRequested(values);
    return this.send(leg);
  }

  private async alreadyRequested({ strategy, parentOrderId, legName, tag }: NewLeg): Promise<LegOutcome> {
    const existing = await this.legs.findOneByOrFail({ strategy, parentOrderId, legName, slice: 0 });
    this.logger.log(
      { strategy, chain: existing.chainId, tag, orderId: existing.orderId },
      `leg ${strategy}/${legName} for order ${parentOrderId} was already requested (${existing.status}); nothing sent again`,
    );
    return this.legOutcome(existing, true);
  }

  /**
   * Send a leg this instance has claimed (a new one, or one recovery claimed: never sent, or proven absent after its
   * settle window). Always the same request and tag.
   */
  async send(leg: Leg): Promise<LegOutcome> {
    if (this.inFlight.has(leg.id)) return this.outcomeOf(leg, true);
    return this.whileInFlight([leg], () => this.sendClaimed(leg));
  }

  private async whileInFlight<T>(legs: Leg[], work: () => Promise<T>): Promise<T> {
    for (const leg of legs) this.inFlight.add(leg.id);
    try {
      return await work();
    } finally {
      for (const leg of legs) this.inFlight.delete(leg.id);
    }
  }

  isInFlight(legId: number): boolean {
    return this.inFlight.has(legId);
  }

  /**
   * One placement request for `leg`, whose claimed rows are `units`: the leg itself, or the slices of an autoslice
   * request (one request, each slice an order Kite counts: each passes the rails).
   */
  private async sendClaimed(leg: Leg, units: Leg[] = [leg]): Promise<LegOutcome> {
    const { variety = 'regular', ...params } = JSON.parse(leg.request) as LegOrder & { tag: string };
    for (let resend = 0; ; resend++) {
      // Every call passes the rails (kill switch, limits, pacing): a resend is an order Kite counts too.
      try {
        for (const unit of units) await this.rails.beforePlace(unit, params);
      } catch (error) {
        const reason = error instanceof PlacementRefusedError ? error.code : 'PlacementRefused';
        return this.failed(leg, { kind: 'refused', errorType: reason, message: errorText(error) }, units);
      }
      // The queue may have held us near or past our lease: send only if the leg is still ours.
      const renewBelow = Math.min(CALL_BUDGET_MS, this.config.get('broker', { infer: true }).claimLeaseMs / 2);
      let lost = false;
      for (const unit of units) {
        const leaseLeft = (unit.claimExpiresAt?.getTime() ?? 0) - Date.now();
        if (leaseLeft < renewBelow && !(await this.ledger.renew(unit))) lost = true;
      }
      // Several instances: an instance that stopped leading (paused past its lease) sends nothing, whatever its claims say.
      if (!this.leadership.isLeader()) lost = true;
      if (lost) {
        this.logger.warn({ strategy: leg.strategy, tag: leg.tag }, `leg ${legLabel(leg)}: claim lost while queued; another instance settles it`);
        return this.legOutcome(await this.legs.findOneByOrFail({ id: leg.id }), true);
      }
      let info: KiteErrorInfo;
      if (leg.slicing === 'autoslice') this.awaitingAnswer.add(leg.id);
      try {
        const answer = (await this.kite.placeOrder(variety, this.kiteOrderParams(params))) as unknown;
        if (leg.slicing === 'autoslice') return await this.autosliceAnswered(leg, units, answer, variety);
        const orderId = (answer as { order_id?: unknown } | null)?.order_id;
        // kiteconnect resolves (does not reject) a 200 that is not JSON; without an order id the outcome is unclear.
        if (typeof orderId !== 'string' && typeof orderId !== 'number') throw answer;
        this.orders.inc({ action: 'place', outcome: 'placed' });
        return await this.sighted(leg, { tag: leg.tag, orderId: String(orderId), status: 'OPEN', variety }, 'placement');
      } catch (error) {
        info = classifyKiteError(error);
      } finally {
        this.awaitingAnswer.delete(leg.id);
      }
      if (info.kind === 'refused') return this.failed(leg, info, units);
      if (info.kind === 'rate-limited' && resend < RATE_LIMITED_RESENDS) {
        // Not placed: Kite turned the request away at its door. Wait, take a new turn in the queue, send again.
        this.orders.inc({ action: 'place', outcome: 'rate_limited_by_kite' });
        this.logger.warn({ strategy: leg.strategy, tag: leg.tag }, `leg ${legLabel(leg)}: Kite answered 429 (${info.message}); sending again shortly`);
        await sleep(RATE_LIMIT_BACKOFF_MS * (resend + 1));
        continue;
      }
      if (info.kind === 'rate-limited')
        return this.failed(leg, { ...info, kind: 'refused', message: `${info.message} (Kite refused it ${resend + 1} times)` }, units);
      return this.unclear(leg, info, units);
    }
  }

  /** The leg is unknown now; one early look in the order book (the order may be visible already), then evidence decides. */
  private async unclear(leg: Leg, info: KiteErrorInfo, units: Leg[] = [leg]): Promise<LegOutcome> {
    this.orders.inc({ action: 'place', outcome: 'unclear' });
    for (const unit of units) await this.ledger.markUnknown(unit, info);
    await sleep(this.config.get('broker', { infer: true }).retryDelayMs);
    try {
      await this.observe(await this.ordersTagged([leg.tag]), 'oms-lookup');
    } catch (lookupError) {
      this.logger.warn(
        { strategy: leg.strategy, tag: leg.tag },
        `leg ${legLabel(leg)}: the order book could not be read (${errorText(lookupError)}); the next recovery pass settles it`,
      );
    }
    return this.legOutcome(await this.legs.findOneByOrFail({ id: leg.id }), false, info);
  }

  private async failed(leg: Leg, error: KiteErrorInfo, units: Leg[] = [leg]): Promise<LegOutcome> {
    for (const unit of units)
      if (await this.ledger.markFailed(unit, error)) this.orders.inc({ action: 'place', outcome: error.kind === 'refused' ? 'refused' : 'failed' });
    const now = await this.legs.findOneByOrFail({ id: leg.id });
    return { ...(await this.legOutcome(now, false)), ...(now.status === 'failed' ? { error } : {}) };
  }

  /** Orders in Kite's book carrying a legwork leg tag (one of `tags`, or any when omitted), every one of them. */
  async ordersTagged(tags?: string[]): Promise<TaggedOrder[]> {
    const wanted = tags && new Set(tags);
    const found: TaggedOrder[] = [];
    const autosliced: Array<{ row: KiteOrderRow; parentId: string }> = [];
    for (const row of await this.kite.getOrders()) {
      if (row.parent_order_id) continue; // a child (iceberg slice, cover order's stop) carries its parent's tag
      const rowTags = tagsOf(row);
      const tag = rowTags.find((t) => isLegTag(t) && (!wanted || wanted.has(t)));
      const parentId = autosliceParentOf(rowTags);
      if (tag) found.push(taggedOrder(row, tag));
      else if (parentId) autosliced.push({ row, parentId });
    }
    if (autosliced.length > 0) {
      // Slices of an autoslice request whose answer named its parent: found by `autoslice:<parent>`, whatever their own tag.
      const legs = await this.legs.find({
        where: { autosliceParentId: In([...new Set(autosliced.map((a) => a.parentId))]), slice: 0 },
        select: { id: true, tag: true, autosliceParentId: true },
      });
      const tagOf = new Map(legs.map((l) => [l.autosliceParentId, l.tag]));
      for (const { row, parentId } of autosliced) {
        const tag = tagOf.get(parentId);
        if (tag && (!wanted || wanted.has(tag))) found.push(taggedOrder(row, tag));
      }
    }
    return found;
  }

  /**
   * Orders seen carrying leg tags, from any channel: each is linked to its leg, whatever the leg's state. A second live
   * order for a leg that has one is a duplicate: critical alert, and cancelled while still open (LEG_CANCEL_DUPLICATES).
   */
  async observe(orders: TaggedOrder[], via: LegSighting): Promise<void> {
    for (const order of orders) {
      const leg = await this.legs.findOneBy({ tag: order.tag });
      if (!leg || leg.orderId === order.orderId) continue;
      if (leg.slices > 0) await this.slicedLegSighted(leg, order, via);
      else await this.sighted(leg, order, via);
    }
  }

  private async sighted(leg: Leg, order: TaggedOrder, via: LegSighting): Promise<LegOutcome> {
    const sighting = await this.ledger.sighted(leg, order.orderId, via);
    if (sighting.decision === 'duplicate') await this.duplicate(sighting.leg, order);
    if (sighting.decision === 'linked' && via !== 'placement') this.orders.inc({ action: 'place', outcome: 'recovered' });
    return this.outcomeOf(sighting.leg, false);
  }

  private async duplicate(leg: Leg, extra: TaggedOrder): Promise<void> {
    const key = `${leg.id}:${extra.orderId}`;
    if (this.duplicatesSeen.has(key)) return;
    this.duplicatesSeen.add(key);
    // A child of the leg's own order (iceberg slice, cover order's stop) carries its tag too: not a second order.
    const history = await this.kite.getOrderHistory(extra.orderId).catch(() => []);
    if ((history.at(-1) as { parent_order_id?: unknown } | undefined)?.parent_order_id) return;
    const cancel = this.config.get('broker', { infer: true }).cancelDuplicates && isCancellable(extra.status);
    let outcome = cancel
      ? 'it is being cancelled'
      : isCancellable(extra.status)
        ? 'it is left open (LEG_CANCEL_DUPLICATES=false)'
        : `it is already ${extra.status}`;
    if (cancel) {
      try {
        await this.cancelOrder((extra.variety as Variety | null) ?? (JSON.parse(leg.request) as LegOrder).variety ?? 'regular', extra.orderId);
        outcome = 'it was cancelled';
      } catch (error) {
        outcome = `cancelling it failed (${errorText(error)}): cancel it by hand`;
      }
    }
    this.logger.error(
      { strategy: leg.strategy, chain: leg.chainId, tag: leg.tag, orderId: extra.orderId },
      `leg ${legLabel(leg)}: second order ${extra.orderId} for one leg; ${outcome}`,
    );
    this.notifier.notify({
      title: `Two orders for one leg: ${leg.strategy}/${leg.legName}`,
      text: `Order ${extra.orderId} (${extra.status}) carries the tag ${leg.tag} of a leg already placed as order ${leg.orderId}; ${outcome}. Check the position.`,
      severity: 'critical',
      fields: { strategy: leg.strategy, chain: leg.chainId, tag: leg.tag, leg_order: leg.orderId ?? '', extra_order: extra.orderId },
    });
  }

  // ---- other order actions: no exactly-once bookkeeping (a repeat is harmless or refused by Kite), same error shape ----

  async modifyOrder(variety: Variety, orderId: string, params: Record<string, unknown>): Promise<string> {
    if (!this.leadership.isLeader()) throw new NotLeaderError(`modify of order ${orderId}`);
    await this.rails.beforeModify(orderId, params, () => this.currentOrder(orderId));
    return this.call('modify', { orderId }, async () => {
      const answer = await this.kite.modifyOrder(variety, orderId, { ...params });
      return String((answer as { order_id: unknown }).order_id);
    });
  }

  async cancelOrder(variety: Variety, orderId: string): Promise<string> {
    if (!this.leadership.isLeader()) throw new NotLeaderError(`cancel of order ${orderId}`);
    await this.rails.beforeCancel?.(orderId);
    return this.call('cancel', { orderId }, async () => {
      const answer = await this.kite.cancelOrder(variety, orderId);
      return String((answer as { order_id: unknown }).order_id);
    });
  }

  /** Kite's order book. Every order in it carrying a leg tag is linked to its leg on the way. */
  async getOrders(): Promise<KiteOrderRow[]> {
    const rows = await this.kite.getOrders();
    this.observeRows(rows);
    return rows;
  }

  /** An order's history (Kite's, newest last). Its tag links it to its leg on the way. */
  async getOrderHistory(orderId: string): ReturnType<KiteClient['getOrderHistory']> {
    const rows = await this.kite.getOrderHistory(orderId);
    this.observeRows(rows.slice(-1));
    return rows;
  }

  getTrades(): ReturnType<KiteClient['getTrades']> {
    return this.kite.getTrades();
  }

  getOrderTrades(orderId: string): ReturnType<KiteClient['getOrderTrades']> {
    return this.kite.getOrderTrades(orderId);
  }

  private async call<T>(action: string, context: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.orders.inc({ action, outcome: 'ok' });
      return result;
    } catch (error) {
      const info = classifyKiteError(error);
      this.orders.inc({ action, outcome: info.kind });
      this.logger.error({ ...context, reason: info.errorType }, `${action} failed: ${info.message}`);
      throw new KiteCallError(info);
    }
  }

  /**
   * The one place a placement's parameters for Kite are built: a copy (kiteconnect's placeOrder mutates the object it
   * is given) with the exchange's algo id (ALGO_ID) when configured. kiteconnect 5.3.0 posts every key it is given, so
   * `algo_id` reaches Kite; its types only learn the field in 5.3.1, hence the cast.
   */
  private kiteOrderParams(params: Record<string, unknown>): Parameters<KiteClient['placeOrder']>[1] {
    const { algoId } = this.config.get('kite', { infer: true });
    return { ...params, ...(algoId ? { algo_id: algoId } : {}) } as Parameters<KiteClient['placeOrder']>[1];
  }

  /** A leg's chain: the parent's own chain when the parent order is itself a leg, else the parent order id. */
  async chainOf(parentOrderId: string): Promise<string> {
    if (!parentOrderId) return '';
    const parentLeg = await this.legLookup.byOrderId(parentOrderId);
    return parentLeg?.chainId ?? parentOrderId;
  }

  /** The order as Kite has it now (last row of its history), for the rails' judgement of a modification. */
  private async currentOrder(orderId: string): Promise<CurrentOrder | null> {
    const history = await this.kite.getOrderHistory(orderId);
    const last = history.at(-1) as Record<string, unknown> | undefined;
    if (!last) return null;
    return {
      quantity: Number(last.quantity),
      orderType: String(last.order_type),
      price: Number(last.price ?? 0),
      triggerPrice: Number(last.trigger_price ?? 0),
      transactionType: String(last.transaction_type),
      status: String(last.status),
      exchange: String(last.exchange),
      tradingsymbol: String(last.tradingsymbol),
    };
  }

  /** Rows read for someone else (a strategy): linking their leg tags must never fail or delay that read. */
  private observeRows(rows: OrderRowLike[]): void {
    const tagged = rows.flatMap((row) => (isLegTag(row.tag as string) && !row.parent_order_id ? [taggedOrder(row, row.tag as string)] : []));
    if (tagged.length > 0) this.observe(tagged, 'oms-lookup').catch((error) => this.logger.warn(`orders not linked to legs: ${errorText(error)}`));
  }

  private outcomeOf(leg: Leg, duplicate: boolean, error?: KiteErrorInfo): LegOutcome {
    return { status: outcomeOf(leg.status), legId: leg.id, tag: leg.tag, orderId: leg.orderId, duplicate, ...(error ? { error } : {}) };
  }

  /** What the strategy is told: the leg's outcome and, for a leg sent as slices, each slice's. */
  private async legOutcome(leg: Leg, duplicate: boolean, error?: KiteErrorInfo): Promise<LegOutcome> {
    const outcome = this.outcomeOf(leg, duplicate, error);
    if (leg.slices === 0) return outcome;
    const slices = (await this.ledger.slicesOf(leg)).map((s) => ({
      slice: s.slice,
      quantity: quantityOf(s),
      status: outcomeOf(s.status),
      tag: s.tag,
      orderId: s.orderId,
      ...(s.status === 'failed' ? { error: { errorType: s.errorType ?? 'NotPlaced', message: s.lastError ?? '' } } : {}),
    }));
    return { ...outcome, slices };
  }

  // ---- legs above the freeze limit: slices ------------------------------------------------------------------------

  /**
   * A leg above the exchange's freeze limit (slice-planner.ts): recorded with its slices in one transaction (the unique
   * key includes the slice, so a repeat records and sends nothing), then sent. `legwork`: each slice is its own order
   * with its own tag — claimed, paced by the rails, settled by evidence exactly like a leg. `autoslice`: one request
   * with Kite's autoslice and the leg's tag; Kite's answer (or the order book) says which order each slice is.
   */
  private async recordSliced(values: NewLeg, plan: SlicedPlan<LegOrder & { tag: string }>): Promise<LegOutcome> {
    const { strategy, parentOrderId, legName } = values;
    const autoslice = plan.path === 'autoslice';
    const whole = JSON.parse(values.request) as LegOrder & { tag: string };
    const request = autoslice ? JSON.stringify({ ...whole, autoslice: true }) : values.request;
    const slices = plan.slices.map((order, i) => {
      const tag = legTag(strategy, parentOrderId, legName, i + 1);
      // A legwork slice sends its own request and tag; an autoslice slice is what Kite makes of the leg's one request.
      return { slice: i + 1, tag, request: JSON.stringify({ ...order, tag: autoslice ? values.tag : tag }) };
    });
    const recorded = await this.ledger.recordSliced({ ...values, request }, plan.path, slices);
    if (!recorded) return this.alreadyRequested(values);
    const { leg } = recorded;
    this.logger.log(
      { strategy, chain: leg.chainId, tag: leg.tag },
      `leg ${strategy}/${legName} for order ${parentOrderId || '(none)'}: ${whole.transaction_type} ${whole.quantity} ${whole.exchange}:${whole.tradingsymbol} ` +
        `goes as ${slices.length} slices (${plan.slices.map((s) => s.quantity).join(' + ')}) ${autoslice ? 'in one Kite autoslice request' : 'placed by legwork'}: ${plan.reason}`,
    );
    if (autoslice) await this.whileInFlight([leg, ...recorded.slices], () => this.sendClaimed(leg, recorded.slices));
    else await this.sendSlices(recorded.slices);
    return this.legOutcome(await this.legs.findOneByOrFail({ id: leg.id }), false);
  }

  /** legwork's own slicing: one slice after the other, each exactly once (its claim), each through the rails. */
  private async sendSlices(slices: Leg[]): Promise<void> {
    await this.whileInFlight(slices, async () => {
      for (const slice of slices) {
        // Claimed for us when recorded; claim() moves it to placing, unless another instance took it over meanwhile.
        if (await this.ledger.claim(slice, ['intent'])) await this.sendClaimed(slice);
      }
    });
  }

  /**
   * Kite's answer to an autoslice request: `{ order_id: <parent>, children: [{ order_id } | { error }] }`, one child per
   * slice, in order (kiteconnect-mocks autoslice_response.json, live since 2026-03-27). A child's order id places its
   * slice; a child's error fails it like a refused placement (leg.failed, alert), and nothing is sent again — the other
   * slices keep their orders. A slice the answer does not account for (the docs' older "single order object" names only
   * the parent) is unknown until its order shows with `autoslice:<parent>`.
   */
  private async autosliceAnswered(leg: Leg, slices: Leg[], answer: unknown, variety: string): Promise<LegOutcome> {
    const { order_id: parentId, children } = (answer ?? {}) as { order_id?: unknown; children?: unknown };
    if (typeof parentId !== 'string' && typeof parentId !== 'number') throw answer; // no parent id: unclear, as for any placement
    const parent = String(parentId);
    this.orders.inc({ action: 'place', outcome: 'placed' });
    await this.ledger.setAutosliceParent(leg, parent);
    const results = (Array.isArray(children) ? children : []) as Array<{ order_id?: unknown; error?: { error_type?: string; message?: string } } | null>;
    for (const [i, slice] of slices.entries()) {
      const child = results[i];
      if (child?.order_id !== undefined && child.order_id !== null) {
        await this.sighted(slice, { tag: leg.tag, orderId: textOf(child.order_id), status: 'OPEN', variety }, 'placement');
      } else if (child?.error) {
        await this.ledger.markFailed(slice, {
          kind: 'refused',
          errorType: child.error.error_type ?? 'GeneralException',
          message: `${child.error.message ?? 'refused'} (slice ${slice.slice} of autoslice order ${parent})`,
        });
      } else {
        await this.ledger.markUnknown(slice, {
          kind: 'unclear',
          errorType: 'AutosliceAnswer',
          message: `Kite's answer (autoslice order ${parent}) named no order for slice ${slice.slice}`,
        });
      }
    }
    if (results.length > slices.length)
      this.unaccounted(leg, `Kite's answer to its autoslice request (order ${parent}) lists ${results.length} slices, ${slices.length} were expected`);
    if (results.length < slices.length) {
      this.awaitingAnswer.delete(leg.id); // the answer is applied: the book may link the rest now (else recovery looks again)
      await this.observe(await this.ordersTagged([leg.tag]), 'oms-lookup').catch(() => undefined);
    }
    return this.legOutcome(await this.legs.findOneByOrFail({ id: leg.id }), false);
  }

  /** An order seen with the tag of a sliced leg (never sent itself): one of an autoslice request's slices, or nobody's. */
  private async slicedLegSighted(leg: Leg, order: TaggedOrder, via: LegSighting): Promise<void> {
    if (leg.slicing !== 'autoslice')
      return this.unaccounted(leg, `order ${order.orderId} carries the tag of the leg, which was sent as ${leg.slices} slices with their own tags`);
    if (this.awaitingAnswer.has(leg.id)) return; // Kite's answer is on its way: it says which slice each order is
    if (await this.legs.exists({ where: { sliceOf: leg.id, orderId: order.orderId } })) return;
    let { tags, quantity } = order;
    if (!tags || quantity === undefined) {
      // An order update carries no `tags`: the book says which request the order belongs to.
      const row = (await this.kite.getOrders()).find((r) => String(r.order_id) === order.orderId);
      if (!row) return; // not in the book yet: the next read (recovery, reconciliation) links it
      ({ tags, quantity } = taggedOrder(row, order.tag));
    }
    const parentId = autosliceParentOf(tags ?? []);
    if (!parentId)
      return this.unaccounted(leg, `order ${order.orderId} carries the tag of the leg but is not one of Kite's autoslice slices (no autoslice:<parent> tag)`);
    if (!(await this.ledger.setAutosliceParent(leg, parentId))) {
      return this.unaccounted(
        leg,
        `order ${order.orderId} is a slice of autoslice order ${parentId}, but the leg's request was autoslice order ${leg.autosliceParentId}`,
      );
    }
    const open = (await this.ledger.slicesOf(leg)).filter((s) => s.orderId === null && quantityOf(s) === quantity);
    // Kite makes the slices as planned (largest first, the remainder last): the first open slice of that size is it.
    const slice = open.find((s) => s.status !== 'failed') ?? open[0];
    if (!slice)
      return this.unaccounted(leg, `order ${order.orderId} (${quantity}) is a slice of its autoslice order ${parentId}, but no slice of that size is open`);
    await this.sighted(slice, order, via);
  }

  /** An order legwork cannot put to a leg or slice: never cancelled on a guess, always a human's call. */
  private unaccounted(leg: Leg, what: string): void {
    const key = `${leg.id}:${what}`;
    if (this.duplicatesSeen.has(key)) return;
    this.duplicatesSeen.add(key);
    this.logger.error({ strategy: leg.strategy, chain: leg.chainId, tag: leg.tag }, `leg ${legLabel(leg)}: ${what}; check the position`);
    this.notifier.notify({
      title: `Order not accounted for: ${leg.strategy}/${leg.legName}`,
      text: `${what}. legwork does not link or cancel it; check the order book and the position.`,
      severity: 'critical',
      fields: { strategy: leg.strategy, chain: leg.chainId, tag: leg.tag },
    });
  }
}

type OrderRowLike = { order_id: unknown; status?: unknown; tag?: unknown; tags?: unknown; variety?: unknown; parent_order_id?: unknown; quantity?: unknown };

function taggedOrder(row: OrderRowLike, tag: string): TaggedOrder {
  return {
    tag,
    orderId: String(row.order_id),
    status: String(row.status),
    variety: (row.variety as string | undefined) ?? null,
    tags: tagsOf(row),
    quantity: Number(row.quantity),
  };
}

/** A modify or cancel Kite refused or could not confirm; `info` says which. An Error, unlike kiteconnect's rejections. */
export class KiteCallError extends Error {
  constructor(readonly info: KiteErrorInfo) {
    super(`${info.errorType}: ${info.message}`);
    this.name = 'KiteCallError';
  }
}
