import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { LegworkConfig } from '../config/legwork.config';
import { InboxProcessor } from '../inbox/inbox.processor';
import { InboxService } from '../inbox/inbox.service';

/**
 * Not ready while too many acknowledged postbacks wait (the engine is falling behind the market), or while inbox
 * processing keeps failing (it retries with backoff; the details say why and when it tries next).
 */
@Injectable()
export class InboxBacklogIndicator {
  private readonly max: number;

  constructor(
    private readonly inbox: InboxService,
    private readonly processor: InboxProcessor,
    private readonly indicators: HealthIndicatorService,
    config: ConfigService<LegworkConfig, true>,
  ) {
    this.max = config.get('health.maxInboxBacklog', { infer: true });
  }

  async check(key = 'inbox') {
    const indicator = this.indicators.check(key);
    const processing = this.processor.health();
    const backlog = await this.inbox.countPending().catch(() => null);
    const details = { backlog, max: this.max, processing };
    return backlog !== null && backlog <= this.max && processing.ok ? indicator.up(details) : indicator.down(details);
  }
}
