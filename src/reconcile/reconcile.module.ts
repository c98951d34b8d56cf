import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InboxModule } from '../inbox/inbox.module';
import { Fill } from '../orders/entities/fill.entity';
import { Order } from '../orders/entities/order.entity';
import { FillPricer } from './fill-pricer.service';
import { ReconcileController } from './reconcile.controller';
import { ReconcileInboxWriter } from './reconcile-inbox.writer';
import { ReconcileService } from './reconcile.service';
import { DatabaseModule } from '../database/database.module';
import { KiteSessionModule } from '../kite-session/kite-session.module';
import { MetricsModule } from '../metrics/metrics.module';
import { LeadershipModule } from '../leadership/leadership.module';

/**
 * Reconciliation with Kite's order book (at boot, on demand, on a timer, after the stream reconnects and after a
 * login) and the pricing of fills Kite reported without a price, from its trades.
 */
@Module({
  imports: [DatabaseModule, LeadershipModule, KiteSessionModule, MetricsModule, InboxModule, TypeOrmModule.forFeature([Order, Fill])],
  controllers: [ReconcileController],
  providers: [ReconcileService, ReconcileInboxWriter, FillPricer],
  exports: [ReconcileService, FillPricer],
})
export class ReconcileModule {}
