import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Instrument } from './entities/instrument.entity';
import { InstrumentList } from './entities/instrument-list.entity';
import { freezeLimitTableProvider } from './freeze-limit.table';
import { InstrumentStore } from './instrument.store';
import { InstrumentsController } from './instruments.controller';
import { InstrumentsLoader } from './instruments.loader';
import { InstrumentsService } from './instruments.service';
import { DatabaseModule } from '../database/database.module';
import { KiteSessionModule } from '../kite-session/kite-session.module';

/**
 * The instrument master: Kite's daily instrument list in the store, lookups (`ctx.instruments`), the freeze table, and
 * the pure lot/tick/slicing rules (order-sizing.ts) the order gateway applies. Depends only on the database and the
 * Kite client.
 */
@Module({
  imports: [DatabaseModule, KiteSessionModule, TypeOrmModule.forFeature([Instrument, InstrumentList])],
  controllers: [InstrumentsController],
  providers: [InstrumentStore, InstrumentsLoader, InstrumentsService, freezeLimitTableProvider],
  exports: [InstrumentsService, InstrumentsLoader, freezeLimitTableProvider],
})
export class InstrumentsModule {}
