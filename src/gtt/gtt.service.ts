import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, MoreThan, Not, Repository } from 'typeorm';
import { Leg } from '../broker/entities/leg.entity';
import { classifyKiteError, KiteErrorInfo } from '../broker/kite-error';
import { LegLedger } from '../broker/leg-ledger';
import { settleDecision } from '../broker/leg-state.machine';
import { legTag } from '../broker/leg-tag';
import { KiteCallError, OrderGateway } from '../broker/order-gateway.service';
import { ORDER_RAILS, OrderRails, PlacementRefusedError } from '../broker/order-rails';
import { CoalescedRuns } from '../common/coalesced-runs';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { PreparedQuery } from '../database/prepared-query';
import { WriteTransactions } from '../database/write-transactions';
import { hydrateOrderEvent, StoredOrderEventPayload } from '../events/order.events';
import { KITE_CLIENT, KiteClient } from '../kite-session/kite-client.provider';
import { KiteSessionService } from '../kite-session/kite-session.service';
import { Notifier } from '../notifier/notifier.service';
import { OrderEventRecord } from '../orders/entities/order-event.entity';
import { Gtt } from './entities/gtt.entity';
import { deleteLegworkGtts, DeleteGttsResult } from './gtt-delete';
import { GttLedger } from './gtt-ledger';
import {
  FiredOrder,
  firedLegName,
  firedOrders,
  GttRequest,
  gttRequest,
  GttRole,
  GttSpec,
  GttStatus,
  isKiteGttStatus,
  isLiveGtt,
  isSameGtt,
  KiteTrigger,
  LIVE_GTT_STATUSES,
  placementFacts,
  protectionLost,
  UNSETTLED_GTT_STATUSES,
} from './gtt-state';

export interface PlaceGttRequest {
  strategy: string;
  /** The order whose event asked for it (part of its unique key), e.g. the entry it protects. */
  parentOrderId: string;
  /** Unique per strategy and parent order, like a leg name (e.g. 'protect'). */
  name: string;
  spec: GttSpec;
  chainId?: string;
  triggerEventId?: number;
}

export interface GttOutcome {
  /** Kite's status once it has the GTT; placing/unknown while unsettled (found or proven absent later); failed. */
  status: GttStatus;
  gttId: number;
  triggerId: number | null;
  /** Asked for before (redelivered event, restart): nothing new was sent. */
  duplicate: boolean;
  error?: KiteErrorInfo;
}

/** A GTT as strategies and the trade log see it. */
export interface GttView {
  name: string;
  strategy: string;
  parentOrderId: string;
  chainId: string;
  status: GttStatus;
  triggerId: number | null;
  type: string;
  exchange: string;
  tradingsymbol: string;
  triggerValues: number[];
  orders: Array<{ role: GttRole; transactionType: string; quantity: number; price: number; product: string }>;
  lastError: string | null;
}

export interface GttSyncSummary {
  /** GTTs of ours looked at. */
  looked: number;
  /** Found at Kite after an unclear answer (or a restart). */
  found: number;
  /** Sent again after their absence was proven. */
  sentAgain: number;
  /** Status changes read from Kite. */
  changed: number;
  /** Orders fired by our GTTs linked to their chains now. */
  ordersLinked: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RATE_LIMITED_RESENDS = 5;
const RATE_LIMIT_BACKOFF_MS = 1_000;
/** Triggered GTTs are read back this long, in case Kite names the fired order only after reporting the trigger. */
const WATCH_TRIGGERED_MS = 24 * 60 * 60_000;

/**
 * GTT protective legs: placed at Kite exactly once per (strategy, parent order, name), kept in step with Kite, and
 * the orders they fire linked to their chains.
 *
 * Exactly-once works as for legs (leg-state.machine.ts decides): recorded and claimed in the database before Kite is
 * called; an unclear answer leaves it `unknown`; only evidence settles it — a GTT in Kite's list with the same
 * condition and orders (GTTs carry no tag), or its absence from a list read after the settle window. Only then is it
 * sent again.
 *
 * Syncing (`sync()`): one read of getGTTs() per pass settles unknown GTTs, records Kite's status of each of ours
 * (alerting when Kite cancels, rejects, disables or expires one) and links each order a triggered GTT fired — found by
 * `orders[i].result.order_result.order_id`, as the order itself carries no tag — as a leg of the GTT's chain.
 */
@Injectable()
export class GttService {
  private readonly logger = new Logger('Gtts');
  private readonly inFlight = new Set<number>();
  private readonly passes = new CoalescedRuns(() => this.run());
  /** Fired orders without an order id this process already alerted on. */
  private readonly misfireAlerted = new Set<string>();
  /** Asked for every untagged order event (couldHaveFired): written once, not built per call. */
  private readonly firingCandidates: PreparedQuery<Pick<Gtt, 'request'>>;

  constructor(
    @InjectRepository(Gtt) private readonly gtts: Repository<Gtt>,
    @InjectRepository(Leg) private readonly legs: Repository<Leg>,
    @InjectRepository(OrderEventRecord) private readonly orderEvents: Repository<OrderEventRecord>,
    @Inject(KITE_CLIENT) private readonly kite: KiteClient,
    @Inject(ORDER_RAILS) private readonly rails: OrderRails,
    private readonly ledger: GttLedger,
    private readonly legLedger: LegLedger,
    private readonly gateway: OrderGateway,
    private readonly session: KiteSessionService,
    private readonly writes: WriteTransactions,
    private readonly notifier: Notifier,
    private readonly bus: EventEmitter2,
    private readonly config: ConfigService<LegworkConfig, true>,
  ) {
    this.firingCandidates = PreparedQuery.on(
      gtts,
      `SELECT "request" FROM "gtts" WHERE "exchange" = :exchange AND "tradingsymbol" = :tradingsymbol ` +
        `AND ("status" IN (:...live) OR ("status" = 'triggered' AND "updatedAt" > :since))`,
    );
  }

  /** Place a GTT exactly once. Throws GttSpecError for a malformed spec (nothing recorded); never for Kite's refusals. */
  async place(request: PlaceGttRequest): Promise<GttOutcome> {
    const built = gttRequest(request.spec);
    const { strategy, parentOrderId, name } = request;
    const chainId = request.chainId ?? (await this.gateway.chainOf(parentOrderId));
    const gtt = await this.ledger.record({
      strategy,
      chainId,
      parentOrderId,
      name,
      type: built.params.trigger_type,
      exchange: built.params.exchange,
      tradingsymbol: built.params.tradingsymbol,
      request: JSON.stringify(built),
      triggerEventId: request.triggerEventId ?? null,
    });
    if (!gtt) {
      const existing = await this.gtts.findOneByOrFail({ strategy, parentOrderId, name });
      this.logger.log(
        { strategy, chain: existing.chainId },
        `GTT ${strategy}/${name} for order ${parentOrderId} was already requested (${existing.status}); nothing sent again`,
      );
      return outcomeOf(existing, true);
    }
    return this.send(gtt);
  }

  /** Send a GTT this instance has claimed (new, or proven absent after an unclear answer). Always the same request. */
  async send(gtt: Gtt): Promise<GttOutcome> {
    if (this.inFlight.has(gtt.id)) return outcomeOf(gtt, true);
    this.inFlight.add(gtt.id);
    let outcome: GttOutcome;
    try {
      outcome = await this.sendClaimed(gtt);
    } finally {
      this.inFlight.delete(gtt.id);
    }
    if (outcome.status !== 'unknown') return outcome;
    // One early look: Kite may list it already. Otherwise only evidence, or its absence after the window, settles it.
    await sleep(this.config.get('broker', { infer: true }).retryDelayMs);
    await this.syncSafely();
    return { ...outcomeOf(await this.gtts.findOneByOrFail({ id: gtt.id }), false), error: outcome.error };
  }

  private async sendClaimed(gtt: Gtt): Promise<GttOutcome> {
    const { params } = JSON.parse(gtt.request) as GttRequest;
    for (let resend = 0; ; resend++) {
      try {
        await this.rails.beforeGtt?.('place', gtt.strategy);
      } catch (error) {
        const code = error instanceof PlacementRefusedError ? error.code : 'PlacementRefused';
        return this.failed(gtt, { kind: 'refused', errorType: code, message: errorText(error) });
      }
      const leaseLeft = (gtt.claimExpiresAt?.getTime() ?? 0) - Date.now();
      if (leaseLeft < this.config.get('broker', { infer: true }).claimLeaseMs / 2 && !(await this.ledger.renew(gtt))) {
        return outcomeOf(await this.gtts.findOneByOrFail({ id: gtt.id }), true); // another instance took it over
      }
      let info: KiteErrorInfo;
      try {
        // A copy: kiteconnect must not touch what is stored.
        const answer = (await this.kite.placeGTT(structuredClone(params))) as unknown;
        const triggerId = Number((answer as { trigger_id?: unknown } | null)?.trigger_id);
        if (!Number.isSafeInteger(triggerId) || triggerId <= 0) throw answer; // a 200 without a trigger id says nothing
        if (!(await this.ledger.linked(gtt, triggerId, 'active', null, 'placed'))) {
          this.logger.error(`GTT ${gtt.strategy}/${gtt.name}: Kite answered trigger ${triggerId}, which another GTT row already holds`);
        }
        void this.syncSafely(); // Kite may have placed it disabled (a trigger too close to the price): read its status now
        return outcomeOf(await this.gtts.findOneByOrFail({ id: gtt.id }), false);
      } catch (error) {
        info = classifyKiteError(error);
      }
      if (info.kind === 'refused') return this.failed(gtt, info);
      if (info.kind === 'rate-limited' && resend < RATE_LIMITED_RESENDS) {
        await sleep(RATE_LIMIT_BACKOFF_MS * (resend + 1));
        continue;
      }
      if (info.kind === 'rate-limited') return this.failed(gtt, { ...info, kind: 'refused' });
      await this.ledger.markUnknown(gtt, info);
      return { ...outcomeOf(await this.gtts.findOneByOrFail({ id: gtt.id }), false), error: info };
    }
  }

  private async failed(gtt: Gtt, error: KiteErrorInfo): Promise<GttOutcome> {
    if (await this.ledger.markFailed(gtt, error)) {
      this.notifier.notify({
        title: `GTT not placed: ${gtt.strategy}/${gtt.name}`,
        text: `${error.errorType}: ${error.message}. The position it was to protect has no GTT at Kite.`,
        severity: 'critical',
        fields: { strategy: gtt.strategy, chain: gtt.chainId, instrument: `${gtt.exchange}:${gtt.tradingsymbol}` },
      });
    }
    return { ...outcomeOf(await this.gtts.findOneByOrFail({ id: gtt.id }), false), error };
  }

  /** Change a live GTT's triggers and orders (Kite replaces all of them). Throws KiteCallError or PlacementRefusedError. */
  async modify(key: { strategy: string; parentOrderId: string; name: string }, spec: GttSpec): Promise<GttOutcome> {
    const built = gttRequest(spec);
    const gtt = await this.gtts.findOneBy(key);
    if (!gtt)
      throw new KiteCallError({ kind: 'refused', errorType: 'UnknownGtt', message: `no GTT ${key.strategy}/${key.name} for order ${key.parentOrderId}` });
    if (!isLiveGtt(gtt.status) || gtt.triggerId === null) {
      throw new KiteCallError({
        kind: 'refused',
        errorType: 'GttNotLive',
        message: `GTT ${key.strategy}/${key.name} is ${gtt.status}: only an active (or disabled) GTT at Kite can be modified`,
      });
    }
    await this.rails.beforeGtt?.('modify', gtt.strategy);
    try {
      await this.kite.modifyGTT(gtt.triggerId, structuredClone(built.params));
    } catch (error) {
      const info = classifyKiteError(error);
      void this.syncSafely();
      this.logger.error({ strategy: gtt.strategy, triggerId: gtt.triggerId }, `GTT ${gtt.strategy}/${gtt.name}: modification failed: ${info.message}`);
      throw new KiteCallError(info);
    }
    await this.ledger.replaceRequest(gtt, JSON.stringify(built));
    void this.syncSafely(); // its status after the change (disabled if a trigger is now too close)
    return outcomeOf(gtt, false);
  }

  /**
   * Delete a GTT at Kite (always allowed: it takes risk off). One still unsettled is deleted as soon as it is found and
   * never sent again. Resolves with its status; throws KiteCallError if Kite refused for another reason than its state.
   */
  async cancel(key: { strategy: string; parentOrderId: string; name: string }): Promise<GttOutcome | null> {
    const gtt = await this.gtts.findOneBy(key);
    if (!gtt) return null;
    if ((UNSETTLED_GTT_STATUSES as readonly string[]).includes(gtt.status)) {
      await this.ledger.requestDelete(gtt);
      this.logger.log(
        { strategy: gtt.strategy },
        `GTT ${gtt.strategy}/${gtt.name}: cancelled while its placement is unsettled; deleted as soon as it is found`,
      );
      return outcomeOf(gtt, false);
    }
    if (!isLiveGtt(gtt.status) || gtt.triggerId === null) return outcomeOf(gtt, false);
    try {
      await this.kite.deleteGTT(gtt.triggerId);
    } catch (error) {
      const info = classifyKiteError(error);
      await this.syncSafely(); // it may have fired or been cancelled by Kite meanwhile: that is its status now
      const now = await this.gtts.findOneByOrFail({ id: gtt.id });
      if (!isLiveGtt(now.status)) return outcomeOf(now, false);
      throw new KiteCallError(info);
    }
    await this.ledger.setStatus(gtt, 'deleted', null, 'deleted by legwork');
    this.logger.log({ strategy: gtt.strategy, triggerId: gtt.triggerId }, `GTT ${gtt.strategy}/${gtt.name} (trigger ${gtt.triggerId}) deleted`);
    return outcomeOf(gtt, false);
  }

  /** Delete every live GTT of a strategy (or of all): the square-off and the kill switch's cancel-open. */
  deleteAll(filter: { strategy?: string } = {}): Promise<DeleteGttsResult> {
    return deleteLegworkGtts(this.kite, this.gtts, (work) => this.writes.run((m) => work(m.getRepository(Gtt)), { durable: true }), filter);
  }

  /** The kill switch's cancel-open asks (an event, so rails need not know GTTs): delete them unless CANCEL_OPEN_DELETES_GTTS=false. */
  async onCancelOpen(): Promise<DeleteGttsResult | null> {
    if (!this.config.get('gtt', { infer: true }).cancelOpenDeletes) return null;
    const result = await this.deleteAll();
    this.logger.warn(
      `kill switch: deleted ${result.deleted.length} live GTT(s)${result.failures.length ? `, ${result.failures.length} could not be deleted` : ''}${result.deleteWhenFound ? `, ${result.deleteWhenFound} unsettled one(s) deleted once found` : ''}`,
    );
    return result;
  }

  /** A strategy's GTTs, newest first. */
  async list(
    strategy: string,
    filter: { status?: GttStatus | GttStatus[]; tradingsymbol?: string; exchange?: string; parentOrderId?: string } = {},
  ): Promise<GttView[]> {
    const rows = await this.gtts.find({
      where: {
        strategy,
        ...(filter.status ? { status: In([filter.status].flat()) } : {}),
        ...(filter.tradingsymbol ? { tradingsymbol: filter.tradingsymbol } : {}),
        ...(filter.exchange ? { exchange: filter.exchange } : {}),
        ...(filter.parentOrderId !== undefined ? { parentOrderId: filter.parentOrderId } : {}),
      },
      order: { id: 'DESC' },
    });
    return rows.map(viewOf);
  }

  /** Rows a sync pass must look at: unsettled, live, triggered lately, or given up after an unclear answer lately. */
  private watched(): Promise<Gtt[]> {
    const since = new Date(Date.now() - WATCH_TRIGGERED_MS);
    return this.gtts.find({
      where: [
        { status: In([...UNSETTLED_GTT_STATUSES, ...LIVE_GTT_STATUSES]) },
        { status: 'triggered', updatedAt: MoreThan(since) },
        { status: 'failed', triggerId: IsNull(), unclearAt: MoreThan(since) },
      ],
      order: { id: 'ASC' },
    });
  }

  /** Whether anything needs reading back from Kite (the timer runs only then). */
  async anyWatched(): Promise<boolean> {
    return (await this.gtts.count({ where: { status: In([...UNSETTLED_GTT_STATUSES, ...LIVE_GTT_STATUSES]) } })) > 0;
  }

  /** One pass at a time; a request during a pass gets one more pass after it (which reads Kite after the request). */
  sync(): Promise<GttSyncSummary> {
    return this.passes.run();
  }

  async syncSafely(): Promise<GttSyncSummary | null> {
    try {
      return await this.sync();
    } catch (error) {
      this.logger.error(`GTTs not read back from Kite: ${errorText(error)}; they are looked at again on the next pass`);
      return null;
    }
  }

  private async run(): Promise<GttSyncSummary> {
    const rows = (await this.watched()).filter((g) => !this.inFlight.has(g.id));
    const summary: GttSyncSummary = { looked: rows.length, found: 0, sentAgain: 0, changed: 0, ordersLinked: 0 };
    if (rows.length === 0) return summary;
    if (!this.session.canCallKite()) throw new Error(`${rows.length} GTT(s) to read back, but there is no valid Kite session; log in at /kite/login`);

    const listReadAt = new Date();
    const list = await this.kite.getGTTs();
    const byId = new Map(list.map((t) => [Number(t.id), t]));
    const ours = new Set(
      (await this.gtts.find({ select: { triggerId: true }, where: { triggerId: In(list.map((t) => Number(t.id))) } })).map((g) => g.triggerId),
    );
    const unclaimed = list.filter((t) => !ours.has(Number(t.id))).sort((a, b) => Number(a.id) - Number(b.id));
    const { settleWindowMs, placeMaxAttempts: maxAttempts } = this.config.get('broker', { infer: true });

    for (const gtt of rows) {
      if (gtt.triggerId !== null) {
        // The list holds non-active GTTs for 7 days only; by id Kite answers "irrespective of the age or status".
        const trigger = byId.get(gtt.triggerId) ?? (await this.kite.getGTT(gtt.triggerId).catch((): KiteTrigger | null => null));
        if (trigger) await this.apply(gtt, trigger, summary);
        continue;
      }
      const request = JSON.parse(gtt.request) as GttRequest;
      const index = unclaimed.findIndex((t) => isSameGtt(request, t, gtt.createdAt));
      const match = index >= 0 ? unclaimed[index] : undefined;
      const now = new Date();
      const claimedElsewhere = gtt.claimedBy !== null && gtt.claimedBy !== this.ledger.owner && gtt.claimExpiresAt !== null && gtt.claimExpiresAt > now;
      const action = settleDecision(placementFacts(gtt), { claimedElsewhere, inBook: Boolean(match), bookReadAt: listReadAt, settleWindowMs, maxAttempts });
      switch (action.kind) {
        case 'link': {
          if (!match || !isKiteGttStatus(match.status)) break;
          unclaimed.splice(index, 1);
          const wasFailed = gtt.status === 'failed';
          if (await this.ledger.linked(gtt, Number(match.id), match.status, match.updated_at, "found in Kite's GTT list")) {
            summary.found++;
            if (wasFailed) {
              this.notifier.notify({
                title: `GTT given up is at Kite after all: ${gtt.strategy}/${gtt.name}`,
                text: `Trigger ${match.id} matches a GTT that had been marked not placed. It is now tracked; check the position.`,
                severity: 'critical',
                fields: { strategy: gtt.strategy, chain: gtt.chainId, trigger: String(match.id) },
              });
            }
            await this.apply(gtt, match, summary);
          }
          break;
        }
        case 'send':
        case 'resend':
          if (gtt.deleteRequested) {
            await this.ledger.markFailed(
              gtt,
              { kind: 'refused', errorType: 'Cancelled', message: 'cancelled before Kite was known to have it; not sent again' },
              [gtt.status],
            );
            break;
          }
          if (!(await this.ledger.claim(gtt, [gtt.status]))) break;
          this.logger.warn(
            { strategy: gtt.strategy },
            `GTT ${gtt.strategy}/${gtt.name}: not in Kite's GTT list ${settleWindowMs} ms after the unclear answer; sending it again`,
          );
          summary.sentAgain++;
          void this.send(gtt); // outside the pass: its own early look would wait for this pass
          break;
        case 'mark-unknown':
          await this.ledger.expireClaim(gtt, now);
          break;
        case 'give-up':
          await this.ledger.markFailed(
            gtt,
            {
              kind: 'unclear',
              errorType: 'NotPlaced',
              message: `not in Kite's GTT list ${settleWindowMs} ms after ${gtt.attempts} unclear attempt(s); given up (still linked if it shows)`,
            },
            ['unknown'],
          );
          break;
        case 'wait':
        case 'leave':
          break;
      }
    }
    const acted = summary.found + summary.sentAgain + summary.changed + summary.ordersLinked;
    if (acted > 0)
      this.logger.log(
        `GTTs read back: ${summary.found} found, ${summary.sentAgain} sent again, ${summary.changed} status change(s), ${summary.ordersLinked} fired order(s) linked`,
      );
    return summary;
  }

  /** Kite's view of one of ours: its status (alerting on lost protection), the orders it fired, a pending delete. */
  private async apply(gtt: Gtt, trigger: KiteTrigger, summary: GttSyncSummary): Promise<void> {
    const status = trigger.status;
    if (!isKiteGttStatus(status)) return;
    const { roles } = JSON.parse(gtt.request) as GttRequest;
    const from = gtt.status;
    const fired = firedOrders(trigger, roles);
    if (from !== status && (await this.ledger.setStatus(gtt, status, trigger.updated_at, fired.find((f) => f.rejectionReason)?.rejectionReason ?? null))) {
      summary.changed++;
      if (protectionLost(status)) {
        this.notifier.notify({
          title: `GTT ${status} at Kite: ${gtt.strategy}/${gtt.name}`,
          text: `Kite reports trigger ${gtt.triggerId} (${gtt.exchange}:${gtt.tradingsymbol}) as ${status}${status === 'disabled' ? ' (it waits for action in Kite, e.g. a trigger too close to the price)' : ''}. It no longer protects the position.`,
          severity: status === 'disabled' ? 'warning' : 'critical',
          fields: { strategy: gtt.strategy, chain: gtt.chainId, trigger: String(gtt.triggerId) },
        });
      }
    }
    for (const order of fired) {
      if (order.orderId) {
        if (await this.linkFired(gtt, order)) summary.ordersLinked++;
      } else {
        this.misfired(gtt, order);
      }
    }
    if (gtt.deleteRequested && isLiveGtt(gtt.status) && gtt.triggerId !== null) {
      await this.kite
        .deleteGTT(gtt.triggerId)
        .then(() => this.ledger.setStatus(gtt, 'deleted', null, 'cancelled while its placement was unsettled'))
        .catch((error) => this.logger.error(`GTT ${gtt.strategy}/${gtt.name}: delete asked for while unsettled failed: ${errorText(error)}`));
    }
  }

  /**
   * The order a GTT fired becomes a leg of the GTT's chain, linked by order id (exactly once: the leg's unique key). Its
   * events from now on reach the strategy as its own; events published before the link are delivered again.
   */
  private async linkFired(gtt: Gtt, fired: FiredOrder): Promise<boolean> {
    const legName = firedLegName(gtt.name, fired.role);
    if (await this.legs.existsBy({ strategy: gtt.strategy, parentOrderId: gtt.parentOrderId, legName })) return false;
    const request = {
      variety: 'regular',
      exchange: gtt.exchange,
      tradingsymbol: gtt.tradingsymbol,
      transaction_type: fired.transactionType,
      quantity: fired.quantity,
      product: fired.product,
      order_type: 'LIMIT',
      price: fired.price,
      gtt: gtt.triggerId,
    };
    const leg = await this.legLedger.recordPlaced(
      {
        strategy: gtt.strategy,
        chainId: gtt.chainId,
        parentOrderId: gtt.parentOrderId,
        legName,
        tag: legTag(gtt.strategy, gtt.parentOrderId, legName),
        request: JSON.stringify(request),
        triggerEventId: gtt.triggerEventId,
        reducesRisk: false,
        groupId: null,
      },
      fired.orderId!,
      'gtt-trigger',
    );
    if (leg) await this.redeliver(fired.orderId!);
    return leg !== null;
  }

  /** Events of the order published before it was known to be ours: delivered again, now with their owner (at least once, as every event). */
  private async redeliver(orderId: string): Promise<void> {
    const records = await this.orderEvents.find({ where: { orderId, dispatchedAt: Not(IsNull()) }, order: { id: 'ASC' } });
    for (const record of records) {
      const event = hydrateOrderEvent(record.id, record.type, record.source, JSON.parse(record.payload) as StoredOrderEventPayload);
      await this.bus
        .emitAsync(record.type, event)
        .catch((error) => this.logger.error(`order ${orderId}: ${record.type} not delivered again: ${errorText(error)}`));
    }
  }

  private misfired(gtt: Gtt, fired: FiredOrder): void {
    const key = `${gtt.id}:${fired.legIndex}`;
    if (this.misfireAlerted.has(key)) return;
    this.misfireAlerted.add(key);
    this.logger.error(
      { strategy: gtt.strategy, triggerId: gtt.triggerId },
      `GTT ${gtt.strategy}/${gtt.name} triggered (${fired.role}) but Kite placed no order: ${fired.rejectionReason}`,
    );
    this.notifier.notify({
      title: `GTT triggered, but no order: ${gtt.strategy}/${gtt.name}`,
      text: `Trigger ${gtt.triggerId} (${gtt.exchange}:${gtt.tradingsymbol}, ${fired.role}) fired, and Kite could not place its ${fired.transactionType} ${fired.quantity} @ ${fired.price}: ${fired.rejectionReason}. The position is NOT protected: act by hand.`,
      severity: 'critical',
      fields: { strategy: gtt.strategy, chain: gtt.chainId, trigger: String(gtt.triggerId) },
    });
  }

  /** For the strategy host and the external-orders tracker: GTTs of ours that could have fired this untagged order. */
  async couldHaveFired(order: { exchange: string | null; tradingsymbol: string | null; transactionType: string | null; quantity: number }): Promise<boolean> {
    if (!order.exchange || !order.tradingsymbol) return false;
    const candidates = await this.firingCandidates.all({
      exchange: order.exchange,
      tradingsymbol: order.tradingsymbol,
      live: [...UNSETTLED_GTT_STATUSES, ...LIVE_GTT_STATUSES],
      since: new Date(Date.now() - WATCH_TRIGGERED_MS),
    });
    return candidates.some((gtt) =>
      (JSON.parse(gtt.request) as GttRequest).params.orders.some(
        (o) => o.transaction_type === order.transactionType && Number(o.quantity) === Number(order.quantity),
      ),
    );
  }
}

function outcomeOf(gtt: Gtt, duplicate: boolean): GttOutcome {
  return { status: gtt.status, gttId: gtt.id, triggerId: gtt.triggerId, duplicate };
}

export function viewOf(gtt: Gtt): GttView {
  const { params, roles } = JSON.parse(gtt.request) as GttRequest;
  return {
    name: gtt.name,
    strategy: gtt.strategy,
    parentOrderId: gtt.parentOrderId,
    chainId: gtt.chainId,
    status: gtt.status,
    triggerId: gtt.triggerId,
    type: gtt.type,
    exchange: gtt.exchange,
    tradingsymbol: gtt.tradingsymbol,
    triggerValues: [...params.trigger_values],
    orders: params.orders.map((o, i) => ({
      role: roles[i],
      transactionType: o.transaction_type,
      quantity: Number(o.quantity),
      price: Number(o.price),
      product: o.product,
    })),
    lastError: gtt.lastError,
  };
}
