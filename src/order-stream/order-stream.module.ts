import { Module } from '@nestjs/common';
import { InboxModule } from '../inbox/inbox.module';
import { KiteOrderStream } from './kite-order-stream.service';
import { KiteSessionModule } from '../kite-session/kite-session.module';

/** WebSocket order updates from Kite (optional second ingress, KITE_WS_ORDER_UPDATES). */
@Module({
  imports: [KiteSessionModule, InboxModule],
  providers: [KiteOrderStream],
  exports: [KiteOrderStream],
})
export class OrderStreamModule {}
