import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { Repository } from 'typeorm';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import type { LegSighting } from '../events/leg.events';
import { KITE_CLIENT, KiteClient } from '../kite-session/kite-client.provider';
import { Metric } from '../metrics/metrics';
import { Notifier } from '../notifier/notifier.service';
import { Leg } from './entities/leg.entity';
import { classifyKiteError, KiteErrorInfo } from './kite-error';
import { LegLedger } from './leg-ledger';
import { isCancellable, LegOutcomeStatus, outcomeOf } from './leg-state.machine';
import { isLegTag, legTag } from './leg-tag';
import { CurrentOrder, OrderRails, ORDER_RAILS, PlacementRefusedError } from './order-rails';

export type Variety = 'regular' | 'amo' | 'co' | 'iceberg' | 'auction';

/** The order a leg sends to Kite: kiteconnect's placeOrder parameters, minus the tag (the gateway owns it). */
export interface LegOrder {
  variety?: Variety;
  exchange: string;
  tradingsymbol: string;
  transaction_type: 'BUY' | 'SELL';
  quantity: number;
  product: string;
  order_type: 'MARKET' | 'LIMIT' | 'SL' | 'SL-M';
  price?: number;
  trigger_price?: number;
  validity?: 'DAY' | 'IOC' | 'TTL';
  validity_ttl?: number;
  disclosed_quantity?: number;
  /** Percent (0–100) or -1 for Kite's automatic protection; Kite refuses MARKET/SL-M orders without it. */
  market_protection?: number;
}

export interface PlaceLegRequest {
  strategy: string;
  /** The order whose event caused this leg ('' for a leg with no parent). Part of the leg's unique key. */
  parentOrderId: string;
  /** Unique among the legs one strategy places for one parent order, e.g. 'exit' or 'hedge-3'. */
  legName: string;
  order: LegOrder;
  /** Groups the chain; default: the parent's chain if the parent is itself a leg, else the parent order id. */
  chainId?: string;
  /** The order_events id that triggered the leg, for the trade log. */
  triggerEventId?: number;
}

export type { LegOutcomeStatus };

export interface LegOutcome {
  /** placed: Kite has it; failed: refused for good; pending: not known yet (unknown: settled by evidence later). */
  status: LegOutcomeStatus;
  legId: number;
  tag: string;
  orderId: string | null;
  /** True when this leg had been requested before (redelivered event, restart): nothing new was sent to Kite. */
  duplicate: boolean;
  error?: KiteErrorInfo;
}

export type OrderRow = Awaited<ReturnType<KiteClient['getOrders']>>[number];

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
}

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
    const leg = await this.ledger.record({
      strategy, chainId, parentOrderId, legName, tag, request: JSON.stringify(order), triggerEventId: request.triggerEventId ?? null, reducesRisk,
    });
    if (!leg) {
      const existing = await this.legs.findOneByOrFail({ strategy, parentOrderId, legName });
      this.logger.log(
        { strategy, chain: existing.chainId, tag, orderId: existing.orderId },
        `leg ${strategy}/${legName} for order ${parentOrderId} was already requested (${existing.status}); nothing sent again`,
      );
      return this.outcomeOf(existing, true);
    }
    return this.send(leg);
  }

  /**
   * Send a leg this instance has claimed (a new one, or one recovery claimed: never sent, or proven absent after its
   * settle window). Always the same request and tag.
   */
  async send(leg: Leg): Promise<LegOutcome> {
    if (this.inFlight.has(leg.id)) return this.outcomeOf(leg, true);
    this.inFlight.add(leg.id);
    try {
      return await this.sendClaimed(leg);
    } finally {
      this.inFlight.delete(leg.id);
    }
  }

  isInFlight(legId: number): boolean {
    return this.inFlight.has(legId);
  }

  private async sendClaimed(leg: Leg): Promise<LegOutcome> {
    const { variety = 'regular', ...params } = JSON.parse(leg.request) as LegOrder & { tag: string };
    for (let resend = 0; ; resend++) {
      // Every call passes the rails (kill switch, limits, pacing): a resend is an order Kite counts too.
      try {
        await this.rails.beforePlace(leg, params);
      } catch (error) {
        const reason = error instanceof PlacementRefusedError ? error.code : 'PlacementRefused';
        return this.failed(leg, { kind: 'refused', errorType: reason, message: errorText(error) });
      }
      // The queue may have held us near or past our lease: send only if the leg is still ours.
      const leaseLeft = (leg.claimExpiresAt?.getTime() ?? 0) - Date.now();
      const renewBelow = Math.min(CALL_BUDGET_MS, this.config.get('broker', { infer: true }).claimLeaseMs / 2);
      if (leaseLeft < renewBelow && !(await this.ledger.renew(leg))) {
        this.logger.warn({ strategy: leg.strategy, tag: leg.tag }, `leg ${leg.strategy}/${leg.legName}: claim lost while queued; another instance settles it`);
        return this.outcomeOf(await this.legs.findOneByOrFail({ id: leg.id }), true);
      }
      let info: KiteErrorInfo;
      try {
        // A copy: kiteconnect's placeOrder mutates the object it is given.
        const answer = (await this.kite.placeOrder(variety, { ...params } as Parameters<KiteClient['placeOrder']>[1])) as unknown;
        const orderId = (answer as { order_id?: unknown } | null)?.order_id;
        // kiteconnect resolves (does not reject) a 200 that is not JSON; without an order id the outcome is unclear.
        if (typeof orderId !== 'string' && typeof orderId !== 'number') throw answer;
        this.orders.inc({ action: 'place', outcome: 'placed' });
        return await this.sighted(leg, { tag: leg.tag, orderId: String(orderId), status: 'OPEN', variety }, 'placement');
      } catch (error) {
        info = classifyKiteError(error);
      }
      if (info.kind === 'refused') return this.failed(leg, info);
      if (info.kind === 'rate-limited' && resend < RATE_LIMITED_RESENDS) {
        // Not placed: Kite turned the request away at its door. Wait, take a new turn in the queue, send again.
        this.orders.inc({ action: 'place', outcome: 'rate_limited_by_kite' });
        this.logger.warn({ strategy: leg.strategy, tag: leg.tag }, `leg ${leg.strategy}/${leg.legName}: Kite answered 429 (${info.message}); sending again shortly`);
        await sleep(RATE_LIMIT_BACKOFF_MS * (resend + 1));
        continue;
      }
      if (info.kind === 'rate-limited') return this.failed(leg, { ...info, kind: 'refused', message: `${info.message} (Kite refused it ${resend + 1} times)` });
      return this.unclear(leg, info);
    }
  }

  /** The leg is unknown now; one early look in the order book (the order may be visible already), then evidence decides. */
  private async unclear(leg: Leg, info: KiteErrorInfo): Promise<LegOutcome> {
    this.orders.inc({ action: 'place', outcome: 'unclear' });
    await this.ledger.markUnknown(leg, info);
    await sleep(this.config.get('broker', { infer: true }).retryDelayMs);
    try {
      await this.observe(await this.ordersTagged([leg.tag]), 'oms-lookup');
    } catch (lookupError) {
      this.logger.warn(
        { strategy: leg.strategy, tag: leg.tag },
        `leg ${leg.strategy}/${leg.legName}: the order book could not be read (${errorText(lookupError)}); the next recovery pass settles it`,
      );
    }
    return this.outcomeOf(await this.legs.findOneByOrFail({ id: leg.id }), false, info);
  }

  private async failed(leg: Leg, error: KiteErrorInfo): Promise<LegOutcome> {
    if (await this.ledger.markFailed(leg, error)) this.orders.inc({ action: 'place', outcome: error.kind === 'refused' ? 'refused' : 'failed' });
    const now = await this.legs.findOneByOrFail({ id: leg.id });
    return { ...this.outcomeOf(now, false), ...(now.status === 'failed' ? { error } : {}) };
  }

  /** Orders in Kite's book carrying a legwork leg tag (one of `tags`, or any when omitted), every one of them. */
  async ordersTagged(tags?: string[]): Promise<TaggedOrder[]> {
    const wanted = tags && new Set(tags);
    const found: TaggedOrder[] = [];
    for (const row of await this.kite.getOrders()) {
      if (row.parent_order_id) continue; // a child (iceberg slice, cover order's stop) carries its parent's tag
      const tag = [row.tag, ...(((row as { tags?: unknown }).tags as string[] | undefined) ?? [])].find((t) => isLegTag(t) && (!wanted || wanted.has(t)));
      if (tag) found.push({ tag, orderId: String(row.order_id), status: String(row.status), variety: row.variety ?? null });
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
      await this.sighted(leg, order, via);
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
    let outcome = cancel ? 'it is being cancelled' : isCancellable(extra.status) ? 'it is left open (LEG_CANCEL_DUPLICATES=false)' : `it is already ${extra.status}`;
    if (cancel) {
      try {
        await this.cancelOrder((extra.variety as Variety | null) ?? (JSON.parse(leg.request) as LegOrder).variety ?? 'regular', extra.orderId);
        outcome = 'it was cancelled';
      } catch (error) {
        outcome = `cancelling it failed (${errorText(error)}): cancel it by hand`;
      }
    }
    this.logger.error({ strategy: leg.strategy, chain: leg.chainId, tag: leg.tag, orderId: extra.orderId }, `leg ${leg.strategy}/${leg.legName}: second order ${extra.orderId} for one leg; ${outcome}`);
    this.notifier.notify({
      title: `Two orders for one leg: ${leg.strategy}/${leg.legName}`,
      text: `Order ${extra.orderId} (${extra.status}) carries the tag ${leg.tag} of a leg already placed as order ${leg.orderId}; ${outcome}. Check the position.`,
      severity: 'critical',
      fields: { strategy: leg.strategy, chain: leg.chainId, tag: leg.tag, leg_order: leg.orderId ?? '', extra_order: extra.orderId },
    });
  }

  // ---- other order actions: no exactly-once bookkeeping (a repeat is harmless or refused by Kite), same error shape ----

  async modifyOrder(variety: Variety, orderId: string, params: Record<string, unknown>): Promise<string> {
    await this.rails.beforeModify(orderId, params, () => this.currentOrder(orderId));
    return this.call('modify', { orderId }, async () => {
      const answer = await this.kite.modifyOrder(variety, orderId, { ...params } as Parameters<KiteClient['modifyOrder']>[2]);
      return String((answer as { order_id: unknown }).order_id);
    });
  }

  async cancelOrder(variety: Variety, orderId: string): Promise<string> {
    await this.rails.beforeCancel?.(orderId);
    return this.call('cancel', { orderId }, async () => {
      const answer = await this.kite.cancelOrder(variety, orderId);
      return String((answer as { order_id: unknown }).order_id);
    });
  }

  /** Kite's order book. Every order in it carrying a leg tag is linked to its leg on the way. */
  async getOrders(): Promise<OrderRow[]> {
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

  /** A leg's chain: the parent's own chain when the parent order is itself a leg, else the parent order id. */
  private async chainOf(parentOrderId: string): Promise<string> {
    if (!parentOrderId) return '';
    const parentLeg = await this.legs.findOne({ where: { orderId: parentOrderId }, select: { chainId: true } });
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
  private observeRows(rows: Array<{ order_id: unknown; status?: unknown; tag?: unknown; variety?: unknown; parent_order_id?: unknown }>): void {
    const tagged = rows.flatMap((row) =>
      isLegTag(row.tag as string) && !row.parent_order_id ? [{ tag: row.tag as string, orderId: String(row.order_id), status: String(row.status), variety: (row.variety as string) ?? null }] : [],
    );
    if (tagged.length > 0) this.observe(tagged, 'oms-lookup').catch((error) => this.logger.warn(`orders not linked to legs: ${errorText(error)}`));
  }

  private outcomeOf(leg: Leg, duplicate: boolean, error?: KiteErrorInfo): LegOutcome {
    return { status: outcomeOf(leg.status), legId: leg.id, tag: leg.tag, orderId: leg.orderId, duplicate, ...(error ? { error } : {}) };
  }
}

/** A modify or cancel Kite refused or could not confirm; `info` says which. An Error, unlike kiteconnect's rejections. */
export class KiteCallError extends Error {
  constructor(readonly info: KiteErrorInfo) {
    super(`${info.errorType}: ${info.message}`);
    this.name = 'KiteCallError';
  }
}

