import { Module } from '@nestjs/common';
import { InboxModule } from '../inbox/inbox.module';
import { InstanceModule } from '../instance/instance.module';
import { OrderStreamModule } from '../order-stream/order-stream.module';
import { RailsModule } from '../rails/rails.module';
import { ReconcileModule } from '../reconcile/reconcile.module';
import { EngineStateService } from './engine-state.service';
import { LiveController } from './live.controller';
import { LiveFeed } from './live-feed.service';

/**
 * The live trade log: the engine's state and a server-sent-events stream of order changes, for the /trades page and
 * `npm run trades -- watch`. The top floor: it reads the services below it and nothing imports it.
 */
@Module({
  imports: [InboxModule, InstanceModule, OrderStreamModule, RailsModule, ReconcileModule],
  controllers: [LiveController],
  providers: [EngineStateService, LiveFeed],
})
export class LiveModule {}
