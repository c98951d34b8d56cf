import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InboxModule } from '../inbox/inbox.module';
import { Leg } from './entities/leg.entity';
import { LegRecoveryService } from './leg-recovery.service';
import { OrderGateway } from './order-gateway.service';
import { NoOrderRails, ORDER_RAILS } from './order-rails';

/** Order actions towards Kite: the order gateway (exactly-once legs), leg recovery, the rails every order passes. */
@Module({
  imports: [TypeOrmModule.forFeature([Leg]), InboxModule],
  providers: [OrderGateway, LegRecoveryService, { provide: ORDER_RAILS, useClass: NoOrderRails }],
  exports: [OrderGateway, LegRecoveryService],
})
export class BrokerModule {}
