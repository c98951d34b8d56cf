import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { LegworkConfig } from '../config/legwork.config';
import { sqliteDataSourceOptions } from './data-source.options';
import { WriteTransactions } from './write-transactions';

/** The trade log: one SQLite file (WAL), migrated at start, and the single path for writes into it. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<LegworkConfig, true>) =>
        sqliteDataSourceOptions(config.get('database', { infer: true })),
    }),
  ],
  providers: [WriteTransactions],
  exports: [WriteTransactions],
})
export class DatabaseModule {}
