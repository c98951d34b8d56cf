import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrdersModule } from '../orders/orders.module';
import { InboxEntry } from './inbox-entry.entity';
import { InboxProcessor } from './inbox.processor';
import { InboxService } from './inbox.service';
import { DatabaseModule } from '../database/database.module';
import { MetricsModule } from '../metrics/metrics.module';
import { LeadershipModule } from '../leadership/leadership.module';

/** Durable inbox of accepted order updates and the processor that works it after the answer. */
@Module({
  imports: [DatabaseModule, LeadershipModule, MetricsModule, TypeOrmModule.forFeature([InboxEntry]), OrdersModule],
  providers: [InboxService, InboxProcessor],
  exports: [InboxService, InboxProcessor],
})
export class InboxModule {}
