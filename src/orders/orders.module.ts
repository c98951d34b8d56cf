import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Fill } from './entities/fill.entity';
import { OrderEventRecord } from './entities/order-event.entity';
import { Order } from './entities/order.entity';
import { DeliveryHolds } from './delivery-holds';
import { OrderEventPublisher } from './order-event.publisher';
import { OrderStateService } from './order-state.service';
import { DatabaseModule } from '../database/database.module';
import { MetricsModule } from '../metrics/metrics.module';

/**
 * Order state: the orders, order_events and fills tables, what an update does to them (OrderStateService, over the
 * pure state machine), and the outbox publisher of domain events.
 */
@Module({
  imports: [DatabaseModule, MetricsModule, TypeOrmModule.forFeature([Order, OrderEventRecord, Fill])],
  providers: [OrderStateService, OrderEventPublisher, DeliveryHolds],
  exports: [OrderStateService, OrderEventPublisher, DeliveryHolds, TypeOrmModule],
})
export class OrdersModule {}
