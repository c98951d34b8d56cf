import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InboxModule } from '../inbox/inbox.module';
import { Leg } from './entities/leg.entity';
import { LegRecoveryService } from './leg-recovery.service';
import { OrderGateway } from './order-gateway.service';
import { RailsModule } from '../rails/rails.module';
import { LegworkRails } from '../rails/legwork-rails';
import { ORDER_RAILS } from './order-rails';

/** Order actions towards Kite: the order gateway (exactly-once legs), leg recovery, the rails every order passes. */
@Module({
  imports: [TypeOrmModule.forFeature([Leg]), InboxModule, RailsModule],
  providers: [OrderGateway, LegRecoveryService, { provide: ORDER_RAILS, useExisting: LegworkRails }],
  exports: [OrderGateway, LegRecoveryService, ORDER_RAILS],
})
export class BrokerModule {}
