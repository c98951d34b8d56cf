import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { kiteClientProvider } from './kite-client.provider';
import { KiteLoginController } from './kite-login.controller';
import { KiteSession } from './kite-session.entity';
import { KiteSessionService } from './kite-session.service';

/** The Kite client, the access token it uses and the daily login flow. Global: one client for the whole engine. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([KiteSession])],
  controllers: [KiteLoginController],
  providers: [KiteSessionService, kiteClientProvider],
  exports: [KiteSessionService, kiteClientProvider],
})
export class KiteSessionModule {}
