import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InboxModule } from '../inbox/inbox.module';
import { InstrumentsModule } from '../instruments/instruments.module';
import { Leg } from './entities/leg.entity';
import { LegGroup } from './entities/leg-group.entity';
import { LegGroupService } from './leg-group.service';
import { Order } from '../orders/entities/order.entity';
import { LegEvidenceListener } from './leg-evidence.listener';
import { LegLedger } from './leg-ledger';
import { LegLookup } from './leg-lookup';
import { LegRecoveryService } from './leg-recovery.service';
import { OrderGateway } from './order-gateway.service';
import { ORDER_RAILS, OrderRailsSlot } from './order-rails';
import { RunningStrategies } from './running-strategies';
import { SlicePlanner } from './slice-planner';
import { DatabaseModule } from '../database/database.module';
import { KiteSessionModule } from '../kite-session/kite-session.module';
import { MetricsModule } from '../metrics/metrics.module';
import { NotifierModule } from '../notifier/notifier.module';
import { LeadershipModule } from '../leadership/leadership.module';

/**
 * Order actions towards Kite: the order gateway (exactly-once legs, claims, evidence, slicing above the freeze limit),
 * leg recovery, leg groups. Every order passes the rails through ORDER_RAILS, a slot the rails module (above this
 * one) fills; RunningStrategies is filled by the strategy host. So this module imports neither.
 */
@Module({
  imports: [
    DatabaseModule,
    LeadershipModule,
    KiteSessionModule,
    MetricsModule,
    NotifierModule,
    TypeOrmModule.forFeature([Leg, LegGroup, Order]),
    InboxModule,
    InstrumentsModule,
  ],
  providers: [
    LegLedger,
    LegLookup,
    OrderGateway,
    SlicePlanner,
    LegRecoveryService,
    LegEvidenceListener,
    LegGroupService,
    OrderRailsSlot,
    { provide: ORDER_RAILS, useExisting: OrderRailsSlot },
    RunningStrategies,
  ],
  exports: [OrderGateway, LegRecoveryService, LegGroupService, LegLedger, LegLookup, ORDER_RAILS, OrderRailsSlot, RunningStrategies],
})
export class BrokerModule {}
