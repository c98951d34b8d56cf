import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { LegworkConfig } from '../config/legwork.config';
import { InboxService } from '../inbox/inbox.service';

/** Not ready while too many acknowledged postbacks wait: the engine is falling behind the market. */
@Injectable()
export class InboxBacklogIndicator {
  private readonly max: number;

  constructor(
    private readonly inbox: InboxService,
    private readonly indicators: HealthIndicatorService,
    config: ConfigService<LegworkConfig, true>,
  ) {
    this.max = config.get('health.maxInboxBacklog', { infer: true });
  }

  async check(key = 'inbox') {
    const backlog = await this.inbox.countPending();
    const indicator = this.indicators.check(key);
    return backlog <= this.max ? indicator.up({ backlog, max: this.max }) : indicator.down({ backlog, max: this.max });
  }
}
