import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Leadership } from '../leadership/leadership';
import { ConfigService } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { errorText } from '../common/error-text';
import { KILL_SWITCH_CANCEL_OPEN } from '../events/kill-switch.events';
import type { LegworkConfig } from '../config/legwork.config';
import { InboxProcessor } from '../inbox/inbox.processor';
import { PAPER_WITHOUT_BROKER } from '../kite-session/kite-client.provider';
import { KITE_SESSION_RENEWED, KiteSessionService } from '../kite-session/kite-session.service';
import { RECONCILED } from '../reconcile/reconcile.service';
import { GttService } from './gtt.service';

/**
 * When legwork's GTTs are read back from Kite (GttService.sync: one getGTTs() per pass):
 *   - at start, before the first inbox pass, so an order a GTT fired while the engine was down is linked to its chain
 *     before its events reach the strategies;
 *   - after every reconciliation (boot, login, stream reconnect, timer, on demand) and every login;
 *   - when an untagged order shows up that one of our GTTs could have fired (GttOrderLinker, on any channel);
 *   - on a timer (GTT_SYNC_INTERVAL_SECONDS, 30 s) while any GTT of ours is live or unsettled: Kite changes a GTT's
 *     status without any order to show for it (cancelled, rejected, disabled, expired; triggered with a failed order),
 *     and no channel tells. Nothing is read while there is nothing to watch.
 */
@Injectable()
export class GttSyncScheduler implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Gtts');
  private timer: NodeJS.Timeout | undefined;
  private enabled = false;

  constructor(
    private readonly gtts: GttService,
    private readonly processor: InboxProcessor,
    private readonly session: KiteSessionService,
    private readonly config: ConfigService<LegworkConfig, true>,
    private readonly leadership: Leadership,
  ) {}

  onModuleInit(): void {
    const { apiKey, rootUrl } = this.config.get('kite', { infer: true });
    this.enabled = Boolean(apiKey && rootUrl && rootUrl !== PAPER_WITHOUT_BROKER);
    if (this.enabled && this.session.canCallKite()) this.processor.holdFirstPassUntil(() => this.syncIfWatched('start'));
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.timer = setInterval(
      () => void (this.leadership.isLeader() && this.syncIfWatched('timer')),
      this.config.get('gtt', { infer: true }).syncIntervalSeconds * 1000,
    );
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  @OnEvent(RECONCILED)
  onReconciled(): Promise<unknown> {
    return this.syncIfWatched('reconcile');
  }

  @OnEvent(KITE_SESSION_RENEWED)
  onLogin(): Promise<unknown> {
    return this.syncIfWatched('login');
  }

  /** The kill switch's cancel-open: answered with what was deleted (see KillSwitchService). */
  @OnEvent(KILL_SWITCH_CANCEL_OPEN)
  onCancelOpen() {
    return this.gtts.onCancelOpen();
  }

  private async syncIfWatched(why: string): Promise<unknown> {
    if (!this.enabled || !this.session.canCallKite()) return null;
    try {
      if (!(await this.gtts.anyWatched())) return null;
    } catch (error) {
      this.logger.error(`GTTs not checked (${why}): ${errorText(error)}`);
      return null;
    }
    return this.gtts.syncSafely();
  }
}
