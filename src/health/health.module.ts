import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { InboxModule } from '../inbox/inbox.module';
import { InstrumentsModule } from '../instruments/instruments.module';
import { DatabaseWritableIndicator } from './database-writable.indicator';
import { HealthController } from './health.controller';
import { InboxBacklogIndicator } from './inbox-backlog.indicator';
import { InstanceRoleIndicator } from './instance-role.indicator';
import { InstrumentListIndicator } from './instrument-list.indicator';
import { KiteReachableIndicator } from './kite-reachable.indicator';
import { KillSwitchIndicator } from './kill-switch.indicator';
import { RailsModule } from '../rails/rails.module';
import { DatabaseModule } from '../database/database.module';
import { KiteSessionModule } from '../kite-session/kite-session.module';
import { LeadershipModule } from '../leadership/leadership.module';

/** GET /health (liveness) and GET /health/ready (readiness), with @nestjs/terminus. */
@Module({
  imports: [DatabaseModule, LeadershipModule, KiteSessionModule, TerminusModule.forRoot({ logger: false }), InboxModule, RailsModule, InstrumentsModule],
  controllers: [HealthController],
  providers: [DatabaseWritableIndicator, InboxBacklogIndicator, KiteReachableIndicator, KillSwitchIndicator, InstrumentListIndicator, InstanceRoleIndicator],
})
export class HealthModule {}
