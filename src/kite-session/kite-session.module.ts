import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KiteLoginController } from './kite-login.controller';
import { KiteSession } from './kite-session.entity';
import { KiteSessionService } from './kite-session.service';

/** The Kite access token in use and the daily login flow. Global: every Kite client reads its token here. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([KiteSession])],
  controllers: [KiteLoginController],
  providers: [KiteSessionService],
  exports: [KiteSessionService],
})
export class KiteSessionModule {}
