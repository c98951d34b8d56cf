import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { LegworkConfig } from '../config/legwork.config';
import { HOT_PATH_STORE, HotPathStore } from './hot-path/hot-path.store';
import { PostgresHotPathStore } from './hot-path/postgres-hot-path.store';
import { SqliteHotPathStore } from './hot-path/sqlite-hot-path.store';
import { openDataSource } from './postgres/migrate-locked';
import { dataSourceOptions } from './postgres/postgres-data-source.options';
import { WriteTransactions } from './write-transactions';

/** The hot-path store for the configured database (SQLite or PostgreSQL). */
export function hotPathStore(dataSource: DataSource, writes: WriteTransactions): HotPathStore {
  if (dataSource.options.type === 'better-sqlite3') return new SqliteHotPathStore(dataSource, writes);
  if (dataSource.options.type === 'postgres') return new PostgresHotPathStore(dataSource, writes);
  throw new Error(`no hot-path store for database type "${dataSource.options.type}"`);
}

/**
 * The trade log: one SQLite file (WAL) or a PostgreSQL database (DATABASE_URL), migrated at start, the single path for writes into it (WriteTransactions)
 * and the hot-path store the ingestion pipeline writes through.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      // Each feature module registers its own entities (TypeOrmModule.forFeature): this module names none.
      useFactory: (config: ConfigService<LegworkConfig, true>) => ({
        ...dataSourceOptions(config.get('database', { infer: true })),
        autoLoadEntities: true,
      }),
      dataSourceFactory: (options) => openDataSource(options!),
    }),
  ],
  providers: [WriteTransactions, { provide: HOT_PATH_STORE, inject: [getDataSourceToken(), WriteTransactions], useFactory: hotPathStore }],
  exports: [WriteTransactions, HOT_PATH_STORE],
})
export class DatabaseModule {}
