import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { InboxProcessor } from '../inbox/inbox.processor';
import { PAPER_WITHOUT_BROKER } from '../kite-session/kite-client.provider';
import { KiteSessionService } from '../kite-session/kite-session.service';
import { Leg } from './entities/leg.entity';
import { OrderGateway } from './order-gateway.service';

export interface LegRecoverySummary {
  pending: number;
  /** Found in the OMS by tag: the earlier call did go through. */
  foundInOms: number;
  /** Not in the OMS: placed now, once. */
  placedNow: number;
  /** Still unsettled (placement unclear again). */
  stillPending: number;
}

/**
 * Settles legs left in flight: recorded but with no known outcome because the process died mid-call, or Kite's answer
 * was unclear and the OMS could not be asked. For each, Kite's order book is searched for the leg's tag: found means
 * it was placed (record the order id); absent means Kite never took it, so it is placed now. Runs before the first
 * inbox pass at start (so strategies never see a chain half-known) and then periodically for stragglers.
 */
@Injectable()
export class LegRecoveryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LegRecoveryService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<LegRecoverySummary> | null = null;

  constructor(
    @InjectRepository(Leg) private readonly legs: Repository<Leg>,
    private readonly gateway: OrderGateway,
    private readonly processor: InboxProcessor,
    private readonly session: KiteSessionService,
    private readonly config: ConfigService<LegworkConfig, true>,
  ) {}

  onModuleInit(): void {
    const { apiKey, rootUrl } = this.config.get('kite', { infer: true });
    if (!apiKey || !rootUrl || rootUrl === PAPER_WITHOUT_BROKER) return;
    this.processor.holdFirstPassUntil(this.recoverSafely(0));
    const seconds = this.config.get('broker', { infer: true }).recoveryIntervalSeconds;
    if (seconds > 0) {
      this.timer = setInterval(() => void this.recoverSafely(seconds * 1000), seconds * 1000);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Settle pending legs older than `minAgeMs` (0 = all not being placed by this process right now). */
  recover(minAgeMs = 0): Promise<LegRecoverySummary> {
    this.running ??= this.run(minAgeMs).finally(() => (this.running = null));
    return this.running;
  }

  private async recoverSafely(minAgeMs: number): Promise<LegRecoverySummary | null> {
    try {
      return await this.recover(minAgeMs);
    } catch (error) {
      this.logger.error(`leg recovery failed: ${errorText(error)}; pending legs stay pending and are retried later`);
      return null;
    }
  }

  private async run(minAgeMs: number): Promise<LegRecoverySummary> {
    const where = { status: In(['intent', 'placing']), ...(minAgeMs > 0 ? { updatedAt: LessThan(new Date(Date.now() - minAgeMs)) } : {}) };
    const pending = (await this.legs.find({ where, order: { id: 'ASC' } })).filter((leg) => !this.gateway.isInFlight(leg.id));
    const summary: LegRecoverySummary = { pending: pending.length, foundInOms: 0, placedNow: 0, stillPending: 0 };
    if (pending.length === 0) return summary;
    if (!this.session.accessToken) throw new Error(`${pending.length} leg(s) pending, but there is no Kite access token; log in at /kite/login`);

    this.logger.warn(`${pending.length} leg(s) left in flight; settling them against Kite's order book by tag`);
    const inOms = await this.gateway.findByTags(pending.map((leg) => leg.tag));
    for (const leg of pending) {
      const row = inOms.get(leg.tag);
      if (row) {
        await this.gateway.markPlaced(leg, String(row.order_id), 'oms-lookup');
        summary.foundInOms++;
        continue;
      }
      const outcome = await this.gateway.place(leg);
      if (outcome.status === 'placed') summary.placedNow++;
      else if (outcome.status === 'pending') summary.stillPending++;
    }
    this.logger.log(
      `leg recovery: ${summary.foundInOms} found in the OMS, ${summary.placedNow} placed now, ${summary.stillPending} still pending`,
    );
    return summary;
  }
}
