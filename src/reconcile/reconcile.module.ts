import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InboxModule } from '../inbox/inbox.module';
import { Order } from '../orders/entities/order.entity';
import { ReconcileController } from './reconcile.controller';
import { ReconcileInboxWriter } from './reconcile-inbox.writer';
import { ReconcileService } from './reconcile.service';

/** Reconciliation with Kite's order book: at boot, on demand, on a timer, after the stream reconnects. */
@Module({
  imports: [InboxModule, TypeOrmModule.forFeature([Order])],
  controllers: [ReconcileController],
  providers: [ReconcileService, ReconcileInboxWriter],
  exports: [ReconcileService],
})
export class ReconcileModule {}
