import { Module } from '@nestjs/common';
import { PaperController } from './paper.controller';
import { KiteSessionModule } from '../kite-session/kite-session.module';
import { BrokerModule } from '../broker/broker.module';

/** HTTP helpers for paper mode (the demo). AppModule imports this only in paper mode with a simulator. */
@Module({ imports: [KiteSessionModule, BrokerModule], controllers: [PaperController] })
export class PaperModule {}
