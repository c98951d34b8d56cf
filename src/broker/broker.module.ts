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
import { LegRecoveryService } from './leg-recovery.service';
import { OrderGateway } from './order-gateway.service';
import { RailsModule } from '../rails/rails.module';
import { LegworkRails } from '../rails/legwork-rails';
import { ORDER_RAILS } from './order-rails';
import { SlicePlanner } from './slice-planner';

/** Order actions towards Kite: the order gateway (exactly-once legs, claims, evidence, slicing above the freeze limit), leg recovery, leg groups, the rails every order passes. */
@Module({
  imports: [TypeOrmModule.forFeature([Leg, LegGroup, Order]), InboxModule, RailsModule, InstrumentsModule],
  providers: [LegLedger, OrderGateway, SlicePlanner, LegRecoveryService, LegEvidenceListener, LegGroupService, { provide: ORDER_RAILS, useExisting: LegworkRails }],
  exports: [OrderGateway, LegRecoveryService, LegGroupService, LegLedger, ORDER_RAILS],
})
export class BrokerModule {}
