import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getDataSourceToken } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { LegworkConfig } from '../config/legwork.config';
import { Metric } from '../metrics/metrics';
import { MetricsModule } from '../metrics/metrics.module';
import { Leadership, SoleInstance } from './leadership';
import { PostgresLeadership } from './postgres-leadership';

/** The leadership of the configured database: a lease on PostgreSQL, the sole instance on SQLite. */
function leadershipFor(dataSource: DataSource, config: ConfigService<LegworkConfig, true>): Leadership {
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  if (dataSource.options.type !== 'postgres') return new SoleInstance(holder);
  return new PostgresLeadership(dataSource, holder, config.get('database', { infer: true }).leaderLeaseMs);
}

const ROLES = ['single', 'leader', 'standby'] as const;

/**
 * Campaigns once the application is up (after the migrations ran), gives the lease up at shutdown, and keeps the
 * role gauge (legwork_instance_role) current.
 */
@Injectable()
class LeadershipLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  constructor(
    @Inject(Leadership) private readonly leadership: Leadership,
    @InjectMetric(Metric.InstanceRole) private readonly gauge: Gauge<string>,
  ) {}
  onApplicationBootstrap(): void {
    this.report();
    if (!(this.leadership instanceof PostgresLeadership)) return;
    this.leadership.start();
    this.timer = setInterval(() => this.report(), 250);
    this.timer.unref();
  }
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (this.leadership instanceof PostgresLeadership) await this.leadership.stop();
  }
  private report(): void {
    const { role } = this.leadership.status();
    for (const r of ROLES) this.gauge.set({ role: r }, r === role ? 1 : 0);
  }
}

/**
 * Which instance leads (src/leadership/leadership.ts). On the ground floor beside the database: the broker fences its
 * claims with it, the inbox processor and the timed work ask it; each of those modules imports this one.
 */
@Module({
  imports: [MetricsModule],
  providers: [{ provide: Leadership, inject: [getDataSourceToken(), ConfigService], useFactory: leadershipFor }, LeadershipLifecycle],
  exports: [Leadership],
})
export class LeadershipModule {}
