import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { Repository } from 'typeorm';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { isUniqueViolation } from '../database/unique-violation';
import { WriteTransactions } from '../database/write-transactions';
import { LegEventName, LegFailedEvent, LegPlacedEvent, LegRef } from '../events/leg.events';
import { KITE_CLIENT, KiteClient } from '../kite-session/kite-client.provider';
import { Metric } from '../metrics/metrics';
import { Leg } from './entities/leg.entity';
import { classifyKiteError, KiteErrorInfo } from './kite-error';
import { legTag } from './leg-tag';
import { OrderRails, ORDER_RAILS, PlacementRefusedError } from './order-rails';

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

export type LegOutcomeStatus = 'placed' | 'failed' | 'pending';

export interface LegOutcome {
  /** placed: Kite has it; failed: refused for good; pending: unclear, resolved against the OMS by tag later. */
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
 * The one door to Kite for order actions. Every strategy places, modifies and cancels through here, so exactly-once
 * leg placement and the safety rails cannot be bypassed.
 *
 * Exactly-once: the leg is recorded (unique strategy + parent order + leg name, durable) before Kite is called, with a
 * tag derived from that key. A repeat of the request — the same event delivered twice, or replayed after a restart —
 * hits the unique key and sends nothing. An unclear answer (timeout, 5xx, no response) is settled by asking the OMS
 * for the tag before any retry; a leg left in flight by a crash is settled the same way at the next start.
 */
@Injectable()
export class OrderGateway {
  private readonly logger = new Logger(OrderGateway.name);
  /** Legs this process is placing right now; recovery leaves them alone. An accelerator, not a guarantee. */
  private readonly inFlight = new Set<number>();

  constructor(
    @Inject(KITE_CLIENT) private readonly kite: KiteClient,
    @InjectRepository(Leg) private readonly legs: Repository<Leg>,
    private readonly writes: WriteTransactions,
    private readonly bus: EventEmitter2,
    private readonly config: ConfigService<LegworkConfig, true>,
    @Inject(ORDER_RAILS) private readonly rails: OrderRails,
    @InjectMetric(Metric.Orders) private readonly orders: Counter<string>,
  ) {}

  /** Place a leg exactly once. Resolves (never rejects for Kite errors) with what happened. */
  async placeLeg(request: PlaceLegRequest): Promise<LegOutcome> {
    const { strategy, parentOrderId, legName } = request;
    const tag = legTag(strategy, parentOrderId, legName);
    const order: LegOrder & { tag: string } = { variety: 'regular', ...request.order, tag };
    const chainId = request.chainId ?? (await this.chainOf(parentOrderId));

    let leg: Leg;
    try {
      const values = {
        strategy,
        chainId,
        parentOrderId,
        legName,
        tag,
        status: 'placing' as const,
        orderId: null,
        request: JSON.stringify(order),
        triggerEventId: request.triggerEventId ?? null,
        attempts: 1,
      };
      // insert, not save: save's change tracking costs more than the statement on this path.
      leg = await this.writes.run(async (m) => m.create(Leg, { ...values, ...(await m.insert(Leg, values)).generatedMaps[0] }));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.legs.findOneByOrFail({ strategy, parentOrderId, legName });
      this.logger.log(
        { strategy, chain: existing.chainId, tag, orderId: existing.orderId },
        `leg ${strategy}/${legName} for order ${parentOrderId} was already requested (${existing.status}); nothing sent again`,
      );
      return this.outcomeOf(existing, true);
    }
    return this.place(leg, true);
  }

  /**
   * Send a recorded leg to Kite, retrying only where that cannot duplicate it. Used for new legs and, by recovery,
   * for legs the OMS has confirmed it never received.
   */
  async place(leg: Leg, fresh = false): Promise<LegOutcome> {
    if (this.inFlight.has(leg.id)) return this.outcomeOf(leg, true);
    this.inFlight.add(leg.id);
    try {
      return await this.placeWithRetries(leg, fresh);
    } finally {
      this.inFlight.delete(leg.id);
    }
  }

  isInFlight(legId: number): boolean {
    return this.inFlight.has(legId);
  }

  /** `fresh`: the leg was just recorded with its first attempt counted. */
  private async placeWithRetries(leg: Leg, fresh: boolean): Promise<LegOutcome> {
    const { placeMaxAttempts, retryDelayMs } = this.config.get('broker', { infer: true });
    const { variety = 'regular', ...params } = JSON.parse(leg.request) as LegOrder & { tag: string };
    const context = { strategy: leg.strategy, chain: leg.chainId, tag: leg.tag };

    let lastError: KiteErrorInfo | undefined;
    let attempts = leg.attempts;
    for (let i = 0; i < placeMaxAttempts; i++) {
      if (!(fresh && i === 0)) {
        const counted = ++attempts;
        await this.writes.run((m) => m.update(Leg, { id: leg.id }, { attempts: counted, status: 'placing' }), { durable: false });
      }
      // Every attempt passes the rails (kill switch, limits, pacing): a retry is an order Kite counts too.
      try {
        await this.rails.beforePlace(leg, params);
      } catch (error) {
        const reason = error instanceof PlacementRefusedError ? error.code : 'PlacementRefused';
        return this.markFailed(leg, { kind: 'refused', errorType: reason, message: errorText(error) });
      }
      try {
        // A copy: kiteconnect's placeOrder mutates the object it is given.
        const answer = (await this.kite.placeOrder(variety, { ...params } as Parameters<KiteClient['placeOrder']>[1])) as unknown;
        const orderId = (answer as { order_id?: unknown } | null)?.order_id;
        // kiteconnect resolves (does not reject) a 200 that is not JSON; without an order id the outcome is unclear.
        if (typeof orderId !== 'string' && typeof orderId !== 'number') throw answer;
        return this.markPlaced(leg, String(orderId), 'placement');
      } catch (error) {
        const info = classifyKiteError(error);
        lastError = info;
        if (info.kind === 'refused') return this.markFailed(leg, info);
        this.logger.warn(context, `leg ${leg.strategy}/${leg.legName}: unclear answer from Kite (${info.message}); asking the OMS for tag ${leg.tag}`);
        this.orders.inc({ action: 'place', outcome: 'unclear' });
        await sleep(retryDelayMs * (i + 1));
        let found: OrderRow | undefined;
        try {
          found = (await this.findByTags([leg.tag])).get(leg.tag);
        } catch (lookupError) {
          // Without the OMS's word a retry could place the order twice: leave it for recovery.
          await this.writes.run((m) => m.update(Leg, { id: leg.id }, { lastError: info.message, errorType: info.errorType }), { durable: false });
          this.logger.error(
            context,
            `leg ${leg.strategy}/${leg.legName}: placement unclear and the OMS could not be asked (${errorText(lookupError)}); ` +
              `it stays pending and is settled by tag ${leg.tag} on the next recovery pass`,
          );
          return this.outcomeOf({ ...leg, status: 'placing' } as Leg, false, info);
        }
        if (found) return this.markPlaced(leg, String(found.order_id), 'oms-lookup');
        // The OMS confirms it has no such order: placing again cannot duplicate it.
      }
    }
    return this.markFailed(leg, lastError ?? { kind: 'unclear', errorType: 'GeneralException', message: 'placement failed' });
  }

  /** Orders in Kite's book carrying one of these tags (Kite keeps a day's orders). */
  async findByTags(tags: string[]): Promise<Map<string, OrderRow>> {
    const wanted = new Set(tags);
    const found = new Map<string, OrderRow>();
    for (const row of await this.kite.getOrders()) {
      const rowTags = [row.tag, ...(((row as { tags?: unknown }).tags as string[] | undefined) ?? [])];
      for (const tag of rowTags) if (typeof tag === 'string' && wanted.has(tag) && !found.has(tag)) found.set(tag, row);
    }
    return found;
  }

  async markPlaced(leg: Leg, orderId: string, via: LegPlacedEvent['via']): Promise<LegOutcome> {
    // Not fsynced on its own: if this write is lost the OMS still has the tag, and recovery finds it again.
    await this.writes.run((m) => m.update(Leg, { id: leg.id }, { status: 'placed', orderId, errorType: null, lastError: null }), { durable: false });
    this.orders.inc({ action: 'place', outcome: via === 'placement' ? 'placed' : 'recovered' });
    this.logger.log(
      { strategy: leg.strategy, chain: leg.chainId, tag: leg.tag, orderId },
      `leg ${leg.strategy}/${leg.legName} placed as order ${orderId}${via === 'oms-lookup' ? ' (found in the OMS by tag)' : ''}`,
    );
    this.publish(LegEventName.Placed, new LegPlacedEvent(refOf(leg), orderId, via));
    return { status: 'placed', legId: leg.id, tag: leg.tag, orderId, duplicate: false };
  }

  private async markFailed(leg: Leg, error: KiteErrorInfo): Promise<LegOutcome> {
    // Durable: a lost "failed" mark would make recovery place a refused order later.
    await this.writes.run((m) => m.update(Leg, { id: leg.id }, { status: 'failed', errorType: error.errorType, lastError: error.message }));
    this.orders.inc({ action: 'place', outcome: error.kind === 'refused' ? 'refused' : 'failed' });
    this.logger.error(
      { strategy: leg.strategy, chain: leg.chainId, tag: leg.tag, reason: error.errorType },
      `leg ${leg.strategy}/${leg.legName} for order ${leg.parentOrderId || '(none)'} not placed: ${error.message}`,
    );
    this.publish(LegEventName.Failed, new LegFailedEvent(refOf(leg), error.errorType, error.message));
    return { status: 'failed', legId: leg.id, tag: leg.tag, orderId: null, duplicate: false, error };
  }

  // ---- other order actions: no exactly-once bookkeeping (a repeat is harmless or refused by Kite), same error shape ----

  async modifyOrder(variety: Variety, orderId: string, params: Record<string, unknown>): Promise<string> {
    await this.rails.beforeModify(orderId, params);
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

  getOrders(): Promise<OrderRow[]> {
    return this.kite.getOrders();
  }

  getOrderHistory(orderId: string): ReturnType<KiteClient['getOrderHistory']> {
    return this.kite.getOrderHistory(orderId);
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

  private outcomeOf(leg: Leg, duplicate: boolean, error?: KiteErrorInfo): LegOutcome {
    const status: LegOutcomeStatus = leg.status === 'placed' ? 'placed' : leg.status === 'failed' ? 'failed' : 'pending';
    return { status, legId: leg.id, tag: leg.tag, orderId: leg.orderId, duplicate, ...(error ? { error } : {}) };
  }

  private publish(name: string, event: LegPlacedEvent | LegFailedEvent): void {
    this.bus.emitAsync(name, event).catch((error) => this.logger.error(`listener failed on ${name}: ${errorText(error)}`));
  }
}

/** A modify or cancel Kite refused or could not confirm; `info` says which. An Error, unlike kiteconnect's rejections. */
export class KiteCallError extends Error {
  constructor(readonly info: KiteErrorInfo) {
    super(`${info.errorType}: ${info.message}`);
    this.name = 'KiteCallError';
  }
}

export function refOf(leg: Leg): LegRef {
  return { legId: leg.id, strategy: leg.strategy, chainId: leg.chainId, parentOrderId: leg.parentOrderId, legName: leg.legName, tag: leg.tag };
}
