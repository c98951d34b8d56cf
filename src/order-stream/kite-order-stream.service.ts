import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { KiteTicker, type KiteTickerParams } from 'kiteconnect';
import type { Ticker } from 'kiteconnect/types/ticker';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { InboxProcessor } from '../inbox/inbox.processor';
import { InboxService } from '../inbox/inbox.service';

/** Published after the stream reconnects: updates may have been missed meanwhile, so reconcile listens to it. */
export const ORDER_STREAM_RECONNECTED = 'kite.order-stream.reconnected';

const MAX_BACKOFF_MS = 60_000;

/**
 * Second ingress: Kite's WebSocket order updates (KiteTicker `order_update`) fed into the same inbox as postbacks.
 * The inbox's dedup key is over the order state, so an update that arrives by both routes is processed once.
 *
 * KiteTicker's own reconnect calls process.exit(1) when it gives up (and after disconnect()), and its state is
 * module-global; so it runs with reconnect off and this service reconnects with its own capped backoff.
 */
@Injectable()
export class KiteOrderStream implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(KiteOrderStream.name);
  private ticker: Ticker | undefined;
  private failures = 0;
  private everConnected = false;
  private retry: NodeJS.Timeout | undefined;
  private stopping = false;
  connected = false;
  received = 0;

  constructor(
    private readonly config: ConfigService<LegworkConfig, true>,
    private readonly inbox: InboxService,
    private readonly processor: InboxProcessor,
    private readonly bus: EventEmitter2,
  ) {}

  onApplicationBootstrap(): void {
    const { enabled, url } = this.config.get('orderStream', { infer: true });
    if (!enabled) return;
    const { apiKey, accessToken } = this.config.get('kite', { infer: true });
    if (!apiKey || !accessToken) {
      this.logger.warn('WebSocket order updates are on but KITE_API_KEY/KITE_ACCESS_TOKEN are missing; stream not started');
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

  beforeApplicationShutdown(): void {
    this.stopping = true;
    clearTimeout(this.retry);
    if (this.connected) this.ticker?.disconnect();
  }

  private onConnect(): void {
    this.connected = true;
    this.failures = 0;
    this.logger.log('order stream connected');
    if (this.everConnected) void this.bus.emitAsync(ORDER_STREAM_RECONNECTED);
    this.everConnected = true;
  }

  private onDisconnect(): void {
    this.connected = false;
    if (this.stopping || this.retry) return; // KiteTicker reports one drop twice
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
