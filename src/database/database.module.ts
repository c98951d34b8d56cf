import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { LegworkConfig } from '../config/legwork.config';
import { sqliteDataSourceOptions } from './data-source.options';

/** The trade log: one SQLite file (WAL), migrated at start. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<LegworkConfig, true>) =>
        sqliteDataSourceOptions(config.get('database', { infer: true })),
    }),
  ],
})
export class DatabaseModule {}
