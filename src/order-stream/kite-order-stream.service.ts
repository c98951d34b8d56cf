import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { KiteTicker, type KiteTickerParams } from 'kiteconnect';
import type { Ticker } from 'kiteconnect/types/ticker';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { InboxProcessor } from '../inbox/inbox.processor';
import { InboxService } from '../inbox/inbox.service';
import {
  KITE_SESSION_EXPIRED,
  KITE_SESSION_RENEWED,
  KiteSessionExpiredEvent,
  KiteSessionRenewedEvent,
  KiteSessionService,
} from '../kite-session/kite-session.service';

/**
 * Published when the stream connects after a gap: a reconnect, or the first connection after a login (updates may
 * have been missed meanwhile, e.g. while there was no session), so reconcile listens to it.
 */
export const ORDER_STREAM_RECONNECTED = 'kite.order-stream.reconnected';

const MAX_BACKOFF_MS = 60_000;

/**
 * Second ingress: Kite's WebSocket order updates (KiteTicker `order_update`) fed into the same inbox as postbacks.
 * The inbox's dedup key is over the order state, so an update that arrives by both routes is processed once.
 *
 * KiteTicker's own reconnect calls process.exit(1) when it gives up (and after disconnect()), and its state is
 * module-global; so it runs with reconnect off and this service reconnects with its own capped backoff.
 *
 * It follows the Kite session: with no session it starts at the login; when the session ends it stops reconnecting
 * (a dropped connection stays down, logged) until the next login reconnects it with the new token.
 */
@Injectable()
export class KiteOrderStream implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(KiteOrderStream.name);
  private ticker: Ticker | undefined;
  private failures = 0;
  private everConnected = false;
  private retry: NodeJS.Timeout | undefined;
  private stopping = false;
  /** The session ended: no reconnect attempts until a login. */
  private waitingForLogin = false;
  /** The next connection follows a login: announce it like a reconnect, so reconcile covers the time without one. */
  private announceNextConnect = false;
  connected = false;
  received = 0;

  constructor(
    private readonly config: ConfigService<LegworkConfig, true>,
    private readonly inbox: InboxService,
    private readonly processor: InboxProcessor,
    private readonly bus: EventEmitter2,
    private readonly session: KiteSessionService,
  ) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  /** With today's token (from the daily login, else KITE_ACCESS_TOKEN), once there is a valid session. */
  private start(): void {
    const { enabled, url } = this.config.get('orderStream', { infer: true });
    if (!enabled || this.ticker) return;
    const apiKey = this.config.get('kite', { infer: true }).apiKey;
    const accessToken = this.session.accessToken;
    if (!apiKey || !accessToken || this.session.status().state !== 'valid') {
      this.logger.warn('WebSocket order updates are on but there is no valid Kite session yet; the stream starts after the login (/kite/login)');
      return;
    }
    // `root` and `reconnect: false` are accepted at run time; kiteconnect's types omit root.
    this.ticker = new KiteTicker({ api_key: apiKey, access_token: accessToken, root: url, reconnect: false } as KiteTickerParams);
    this.ticker.on('connect', () => this.onConnect());
    this.ticker.on('disconnect', () => this.onDisconnect());
    this.ticker.on('error', (error: unknown) => this.logger.warn(`order stream error: ${errorText(error)}`));
    this.ticker.on('order_update', (order: Record<string, unknown>) => void this.receive(order));
    this.logger.log(`connecting to Kite order updates at ${url}`);
    this.ticker.connect();
  }

  /** A new day's login: the stream must reconnect with the new token (the old one stops working at 06:00 IST). */
  @OnEvent(KITE_SESSION_RENEWED)
  onSessionRenewed(event: KiteSessionRenewedEvent): void {
    if (this.stopping) return;
    this.waitingForLogin = false;
    this.announceNextConnect = true;
    if (!this.ticker) return this.start();
    // KiteTicker reads access_token when it connects; kiteconnect has no setter for it.
    (this.ticker as unknown as { access_token: string }).access_token = event.accessToken;
    this.failures = 0;
    this.logger.log('new Kite session: reconnecting the order stream with the new token');
    if (this.connected)
      this.ticker.disconnect(); // onDisconnect schedules the reconnect
    else if (!this.retry) this.ticker.connect();
  }

  /** The token no longer works: reconnecting with it would only fail every minute until the login. */
  @OnEvent(KITE_SESSION_EXPIRED)
  onSessionExpired(event: KiteSessionExpiredEvent): void {
    if (this.stopping || !this.ticker) return;
    this.waitingForLogin = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.logger.warn(`Kite session ended (${event.reason}): the order stream will not reconnect until the next login`);
  }

  /** Whether the stream waits for a login before it reconnects. */
  get pausedForLogin(): boolean {
    return this.waitingForLogin;
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
    clearTimeout(this.retry);
    if (this.connected) this.ticker?.disconnect();
  }

  private onConnect(): void {
    this.connected = true;
    this.failures = 0;
    this.logger.log('order stream connected');
    if (this.everConnected || this.announceNextConnect) void this.bus.emitAsync(ORDER_STREAM_RECONNECTED);
    this.everConnected = true;
    this.announceNextConnect = false;
  }

  private onDisconnect(): void {
    const wasConnected = this.connected;
    this.connected = false;
    if (this.stopping || this.retry) return; // KiteTicker reports one drop twice
    // The session may have ended without this service hearing of it yet (e.g. during start-up): ask it.
    if (this.waitingForLogin || this.session.status().state !== 'valid') {
      this.waitingForLogin = true;
      if (wasConnected) this.logger.warn('order stream disconnected; it reconnects after the next Kite login (/kite/login)');
      return;
    }
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.failures) * (0.8 + Math.random() * 0.4);
    this.failures++;
    this.logger.warn(`order stream disconnected; reconnecting in ${Math.round(delay)} ms (attempt ${this.failures})`);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.stopping) this.ticker?.connect();
    }, delay);
    this.retry.unref();
  }

  private async receive(order: Record<string, unknown>): Promise<void> {
    this.received++;
    try {
      await this.inbox.accept(JSON.stringify(order), order, 'websocket');
      void this.processor.kick();
    } catch (error) {
      // Not lost for good: reconcile recovers what neither route delivered.
      this.logger.error({ orderId: order?.order_id }, `order update from the stream not stored: ${errorText(error)}`);
    }
  }
}
