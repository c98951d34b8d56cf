import { Module } from '@nestjs/common';
import { MarketClock } from './market-clock';

/** The engine's market calendar (trading days, holidays, IST time of day). */
@Module({ providers: [MarketClock], exports: [MarketClock] })
export class MarketModule {}
