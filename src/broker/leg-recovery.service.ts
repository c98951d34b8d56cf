import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Leadership } from '../leadership/leadership';
import { ConfigService } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, MoreThan, Repository } from 'typeorm';
import { CoalescedRuns } from '../common/coalesced-runs';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { LegEventName, LegUnknownEvent } from '../events/leg.events';
import { InboxProcessor } from '../inbox/inbox.processor';
import { PAPER_WITHOUT_BROKER } from '../kite-session/kite-client.provider';
import { KiteSessionService } from '../kite-session/kite-session.service';
import { Leg } from './entities/leg.entity';
import type { KiteErrorInfo } from './kite-error';
import { legLabel, LegLedger } from './leg-ledger';
import { settleDecision } from './leg-state.machine';
import { OrderGateway } from './order-gateway.service';

export interface LegRecoverySummary {
  /** Legs looked at: not settled, or given up after an unclear answer (their order may still show). */
  pending: number;
  /** Found in the order book by tag: linked. */
  foundInOms: number;
  /** Sent now (never sent before, or proven absent after the settle window) and placed. */
  placedNow: number;
  /** Sent now and still not settled (unclear again). */
  stillPending: number;
  /** Unknown, inside their settle window: only evidence may settle them yet. */
  waiting: number;
  /** Held by another instance's unexpired claim: left alone. */
  claimedElsewhere: number;
  /** Absent after the settle window with no attempts left: marked failed (and still watched). */
  givenUp: number;
}

/**
 * Why a leg is given up. A slice of an autoslice request is never sent again (leg-state.machine.ts mayResend): without
 * the request's parent id nothing proves its absence, so a human is asked to look.
 */
function givenUp(leg: Leg, settleWindowMs: number): KiteErrorInfo {
  if (leg.slicing === 'autoslice') {
    // An autoslice slice's request is the one request that was sent: the leg's tag, the whole quantity's instrument.
    const sent = JSON.parse(leg.request) as { tag?: string; exchange?: string; tradingsymbol?: string; transaction_type?: string };
    if (!leg.autosliceParentId) {
      return {
        kind: 'unclear',
        errorType: 'AutosliceUnclear',
        message:
          `Kite's answer to the autoslice request (tag ${sent.tag}) was unclear and no slice of it showed in ${settleWindowMs} ms; Kite need not copy the request's ` +
          `tag onto its slices, so they may exist without it: not sent again. Look in the order book for ${sent.transaction_type} orders tagged "autoslice" on ` +
          `${sent.exchange}:${sent.tradingsymbol} (still linked if one shows with the tag)`,
      };
    }
    return {
      kind: 'unclear',
      errorType: 'NotPlaced',
      message: `slice ${leg.slice} of autoslice order ${leg.autosliceParentId} not in Kite's book ${settleWindowMs} ms after the answer; not sent again (still linked if it shows)`,
    };
  }
  return {
    kind: 'unclear',
    errorType: 'NotPlaced',
    message: `no order with tag ${leg.tag} in Kite's book ${settleWindowMs} ms after ${leg.attempts} unclear attempt(s); given up (still linked if it shows)`,
  };
}

/** A leg given up after an unclear answer is still looked for this long: Kite keeps a day's orders. */
const WATCH_GIVEN_UP_MS = 24 * 60 * 60_000;

/**
 * Settles legs without a known outcome, by the leg state machine (leg-state.machine.ts): legs whose sender died
 * mid-call (claim expired), legs left unknown by an unclear answer, legs recorded but never sent. One order book read
 * per pass: every order in it carrying a leg tag is linked to its leg; an unknown leg whose tag is still absent from a
 * read that started after its settle window is sent again with the same tag (or given up when out of attempts). Legs
 * another instance has claimed are left alone until the claim expires. Runs before the first inbox pass at start, at
 * each unknown leg's settle deadline, and every LEG_RECOVERY_INTERVAL_SECONDS.
 */
@Injectable()
export class LegRecoveryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LegRecoveryService.name);
  private timer: NodeJS.Timeout | undefined;
  private deadline: { at: number; timer: NodeJS.Timeout } | undefined;
  private readonly passes = new CoalescedRuns(
    () => this.run(),
    () => this.stopped,
  );
  private enabled = false;
  private stopped = false;

  constructor(
    @InjectRepository(Leg) private readonly legs: Repository<Leg>,
    private readonly gateway: OrderGateway,
    private readonly ledger: LegLedger,
    private readonly processor: InboxProcessor,
    private readonly session: KiteSessionService,
    private readonly config: ConfigService<LegworkConfig, true>,
    private readonly leadership: Leadership,
  ) {}

  onModuleInit(): void {
    const { apiKey, rootUrl } = this.config.get('kite', { infer: true });
    if (!apiKey || !rootUrl || rootUrl === PAPER_WITHOUT_BROKER) return;
    this.enabled = true;
    this.processor.holdFirstPassUntil(() => this.recoverSafely());
    const seconds = this.config.get('broker', { infer: true }).recoveryIntervalSeconds;
    if (seconds > 0) {
      this.timer = setInterval(() => void (this.leadership.isLeader() && this.recoverSafely()), seconds * 1000);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.deadline?.timer);
  }

  /** An unclear answer: look again as soon as its settle window has passed (the interval pass is the safety net). */
  @OnEvent(LegEventName.Unknown)
  onLegUnknown(event: LegUnknownEvent): void {
    this.settleAt(event.settleBy);
  }

  /** One pass (a pass already running is followed by one more, so nothing asked for now is missed). */
  recover(): Promise<LegRecoverySummary> {
    return this.passes.run();
  }

  private async recoverSafely(): Promise<LegRecoverySummary | null> {
    try {
      return await this.recover();
    } catch (error) {
      this.logger.error(`leg recovery failed: ${errorText(error)}; unsettled legs stay as they are and are looked at again later`);
      return null;
    }
  }

  private settleAt(at: Date): void {
    if (!this.enabled || this.stopped) return;
    const when = at.getTime() + 50; // just past the deadline: the book read must start after it
    if (this.deadline && this.deadline.at <= when && this.deadline.at > Date.now()) return;
    clearTimeout(this.deadline?.timer);
    const timer = setTimeout(
      () => {
        this.deadline = undefined;
        void this.recoverSafely();
      },
      Math.max(0, when - Date.now()),
    );
    timer.unref();
    this.deadline = { at: when, timer };
  }

  private async run(): Promise<LegRecoverySummary> {
    const since = new Date(Date.now() - WATCH_GIVEN_UP_MS);
    const candidates = (
      await this.legs.find({
        // A leg sent as slices (slices > 0) is never sent itself: its slices are settled, each like a leg.
        where: [
          { status: In(['intent', 'placing', 'unknown']), slices: 0 },
          { status: 'failed', orderId: IsNull(), unclearAt: MoreThan(since), slices: 0 },
        ],
        order: { id: 'ASC' },
      })
    ).filter((leg) => !this.gateway.isInFlight(leg.id));
    const summary: LegRecoverySummary = {
      pending: candidates.length,
      foundInOms: 0,
      placedNow: 0,
      stillPending: 0,
      waiting: 0,
      claimedElsewhere: 0,
      givenUp: 0,
    };
    if (candidates.length === 0) return summary;
    if (!this.session.accessToken) throw new Error(`${candidates.length} leg(s) unsettled, but there is no Kite access token; log in at /kite/login`);

    // One read of the book: every order in it with a leg tag is evidence, for these legs and any other.
    const bookReadAt = new Date();
    const seen = await this.gateway.ordersTagged();
    await this.gateway.observe(seen, 'oms-lookup');
    const inBook = new Set(seen.map((order) => order.tag));

    const { settleWindowMs, placeMaxAttempts: maxAttempts } = this.config.get('broker', { infer: true });
    for (const leg of candidates) {
      if (this.stopped) break;
      const now = new Date();
      const claimedElsewhere = leg.claimedBy !== null && leg.claimedBy !== this.ledger.owner && leg.claimExpiresAt !== null && leg.claimExpiresAt > now;
      const action = settleDecision(leg, { claimedElsewhere, inBook: inBook.has(leg.tag), bookReadAt, settleWindowMs, maxAttempts });
      switch (action.kind) {
        case 'link':
          summary.foundInOms++;
          break;
        case 'send':
        case 'resend': {
          if (!(await this.ledger.claim(leg, [leg.status]))) {
            summary.claimedElsewhere++;
            break;
          }
          if (action.kind === 'resend')
            this.logger.warn(
              { strategy: leg.strategy, tag: leg.tag },
              `leg ${legLabel(leg)}: no order with tag ${leg.tag} in Kite's book ${settleWindowMs} ms after the unclear answer; sending it again with the same tag`,
            );
          const outcome = await this.gateway.send(leg);
          if (outcome.status === 'placed') summary.placedNow++;
          else if (outcome.status === 'pending') summary.stillPending++;
          break;
        }
        case 'mark-unknown':
          if (await this.ledger.expireClaim(leg, now)) {
            this.logger.warn(
              { strategy: leg.strategy, tag: leg.tag },
              `leg ${legLabel(leg)}: its sender stopped mid-call (claim ${leg.claimedBy ?? 'none'} expired); unknown until its order shows or its settle window has passed`,
            );
            this.settleAt(new Date(now.getTime() + settleWindowMs));
          }
          summary.waiting++;
          break;
        case 'wait':
          this.settleAt(action.until);
          summary.waiting++;
          break;
        case 'give-up':
          await this.ledger.markFailed(leg, givenUp(leg, settleWindowMs), ['unknown']);
          summary.givenUp++;
          break;
        case 'leave':
          if (claimedElsewhere) summary.claimedElsewhere++;
          break;
      }
    }
    const acted = summary.foundInOms + summary.placedNow + summary.stillPending + summary.waiting + summary.claimedElsewhere + summary.givenUp;
    if (acted > 0)
      this.logger.log(
        `leg recovery: ${summary.foundInOms} found in the OMS, ${summary.placedNow} placed now, ${summary.stillPending} still pending, ` +
          `${summary.waiting} waiting for evidence, ${summary.claimedElsewhere} claimed by another instance, ${summary.givenUp} given up`,
      );
    return summary;
  }
}
