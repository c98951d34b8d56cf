import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { LegEventName, LegFailedEvent } from '../events/leg.events';
import { Metric } from '../metrics/metrics';
import { Alert, AlertChannel } from './alert';
import { TelegramChannel, WebhookChannel } from './alert-channels';

const ATTEMPTS = 3;
const RETRY_DELAY_MS = 500;

/**
 * Sends alerts to the configured channels without ever making the caller wait: notify() returns at once and delivery
 * (with a few retries) happens in the background, so a slow webhook cannot hold up ingress or a strategy.
 */
@Injectable()
export class Notifier implements OnApplicationShutdown {
  private readonly logger = new Logger(Notifier.name);
  private readonly channels: AlertChannel[];
  private readonly deliveries = new Set<Promise<void>>();
  /** How to stop everything, added to every critical alert (the kill switch's own alerts excepted). */
  private readonly stopHint: string;

  constructor(
    config: ConfigService<LegworkConfig, true>,
    @InjectMetric(Metric.Alerts) private readonly sent: Counter<string>,
  ) {
    const { webhookUrl, telegram } = config.get('notify', { infer: true });
    this.channels = [...(webhookUrl ? [new WebhookChannel(webhookUrl)] : []), ...(telegram ? [new TelegramChannel(telegram)] : [])];
    this.stopHint =
      'npm run killswitch -- trip "reason" [--cancel-open], or POST /rails/kill-switch' +
      (telegram?.webhookSecret ? ', or /kill reason (/kill! reason also cancels open orders) to this bot' : '');
  }

  get channelNames(): string[] {
    return this.channels.map((c) => c.name);
  }

  /** Queue an alert for every channel; also logged, so it is seen even with no channel configured. */
  notify(alert: Alert): void {
    if (alert.severity === 'critical' && !alert.fields?.stop_all && !alert.fields?.rearm) {
      alert = { ...alert, fields: { ...alert.fields, stop_all: this.stopHint } };
    }
    const line = `ALERT ${alert.title}: ${alert.text}`;
    if (alert.severity === 'info') this.logger.log(alert.fields ?? {}, line);
    else this.logger.warn(alert.fields ?? {}, line);
    for (const channel of this.channels) {
      const delivery = this.deliver(channel, alert).finally(() => this.deliveries.delete(delivery));
      this.deliveries.add(delivery);
    }
  }

  /** Resolves when every alert queued so far has been delivered or given up on. */
  async idle(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  /** A leg that could not be placed is always worth a human's attention. */
  @OnEvent(LegEventName.Failed)
  onLegFailed(event: LegFailedEvent): void {
    const slice = event.leg.slice > 0 ? ` (slice ${event.leg.slice})` : '';
    this.notify({
      title: `Leg not placed: ${event.leg.strategy}/${event.leg.legName}${slice}`,
      text: `${event.errorType}: ${event.message}`,
      severity: 'critical',
      fields: {
        strategy: event.leg.strategy,
        chain: event.leg.chainId,
        parent_order: event.leg.parentOrderId,
        tag: event.leg.tag,
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    // Give queued alerts a moment to leave; never hold shutdown for long.
    await Promise.race([this.idle(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  }

  private async deliver(channel: AlertChannel, alert: Alert): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        await channel.send(alert);
        this.sent.inc({ channel: channel.name, result: 'sent' });
        return;
      } catch (error) {
        if (attempt === ATTEMPTS) {
          this.sent.inc({ channel: channel.name, result: 'failed' });
          this.logger.error(`alert "${alert.title}" could not be sent to ${channel.name} after ${ATTEMPTS} attempts: ${errorText(error)}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * attempt));
      }
    }
  }
}
