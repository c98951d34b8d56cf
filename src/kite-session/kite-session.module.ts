import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { kiteClientProvider } from './kite-client.provider';
import { KiteLoginController } from './kite-login.controller';
import { KiteSession } from './kite-session.entity';
import { KiteSessionService } from './kite-session.service';
import { DatabaseModule } from '../database/database.module';

/** The Kite client, the access token it uses and the daily login flow. One client for the whole engine: the modules that call Kite import this one. */
@Module({
  imports: [DatabaseModule, TypeOrmModule.forFeature([KiteSession])],
  controllers: [KiteLoginController],
  providers: [KiteSessionService, kiteClientProvider],
  exports: [KiteSessionService, kiteClientProvider],
})
export class KiteSessionModule {}
