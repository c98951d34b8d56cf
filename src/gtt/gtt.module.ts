import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BrokerModule } from '../broker/broker.module';
import { Leg } from '../broker/entities/leg.entity';
import { InboxModule } from '../inbox/inbox.module';
import { OrderEventRecord } from '../orders/entities/order-event.entity';
import { Gtt } from './entities/gtt.entity';
import { GttLedger } from './gtt-ledger';
import { GttOrderLinker } from './gtt-order-linker';
import { GttSyncScheduler } from './gtt-sync.scheduler';
import { GttService } from './gtt.service';
import { DatabaseModule } from '../database/database.module';
import { KiteSessionModule } from '../kite-session/kite-session.module';
import { NotifierModule } from '../notifier/notifier.module';
import { LeadershipModule } from '../leadership/leadership.module';

/** GTT protective legs: placed exactly once, read back from Kite, their fired orders linked to their chains. */
@Module({
  imports: [
    DatabaseModule,
    LeadershipModule,
    KiteSessionModule,
    NotifierModule,
    TypeOrmModule.forFeature([Gtt, Leg, OrderEventRecord]),
    BrokerModule,
    InboxModule,
  ],
  providers: [GttLedger, GttService, GttSyncScheduler, GttOrderLinker],
  exports: [GttService, GttOrderLinker],
})
export class GttModule {}
