import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { DatabaseWritableIndicator } from './database-writable.indicator';
import { InboxBacklogIndicator } from './inbox-backlog.indicator';
import { InstanceRoleIndicator } from './instance-role.indicator';
import { InstrumentListIndicator } from './instrument-list.indicator';
import { KiteReachableIndicator } from './kite-reachable.indicator';
import { KillSwitchIndicator } from './kill-switch.indicator';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseWritableIndicator,
    private readonly inbox: InboxBacklogIndicator,
    private readonly kite: KiteReachableIndicator,
    private readonly killSwitch: KillSwitchIndicator,
    private readonly instruments: InstrumentListIndicator,
    private readonly instance: InstanceRoleIndicator,
  ) {}

  /** Liveness: the process answers HTTP. */
  @Get()
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Readiness: the store takes writes, the inbox keeps up, Kite (or the simulator) answers with a valid token; which instrument list is in use, and this instance's role (leader, standby or single). */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.database.check(),
      () => this.inbox.check(),
      () => this.kite.check(),
      () => this.killSwitch.check(),
      () => this.instruments.check(),
      () => this.instance.check(),
    ]);
  }
}
