import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Fill } from './entities/fill.entity';
import { OrderEventRecord } from './entities/order-event.entity';
import { Order } from './entities/order.entity';
import { OrderEventPublisher } from './order-event.publisher';
import { OrderStateService } from './order-state.service';

/** Order state: the orders, order_events and fills tables, and the outbox publisher of domain events. */
@Module({
  imports: [TypeOrmModule.forFeature([Order, OrderEventRecord, Fill])],
  providers: [OrderStateService, OrderEventPublisher],
  exports: [OrderStateService, OrderEventPublisher, TypeOrmModule],
})
export class OrdersModule {}
