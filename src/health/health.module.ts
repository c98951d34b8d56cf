import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { InboxModule } from '../inbox/inbox.module';
import { DatabaseWritableIndicator } from './database-writable.indicator';
import { HealthController } from './health.controller';
import { InboxBacklogIndicator } from './inbox-backlog.indicator';
import { KiteReachableIndicator } from './kite-reachable.indicator';

/** GET /health (liveness) and GET /health/ready (readiness), with @nestjs/terminus. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), InboxModule],
  controllers: [HealthController],
  providers: [DatabaseWritableIndicator, InboxBacklogIndicator, KiteReachableIndicator],
})
export class HealthModule {}
