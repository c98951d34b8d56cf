import { DataSource } from 'typeorm';
import { loadEnvironment } from './src/config/environment-file';
import { loadLegworkConfig } from './src/config/legwork.config';
import { dataSourceOptions } from './src/database/postgres/postgres-data-source.options';
import { ENTITIES } from './src/entities';

/**
 * The DataSource the TypeORM CLI uses (npm run typeorm -- migration:run|migration:generate|...).
 * It reads the same environment (and .env) as the engine, so it opens the same database (SQLite file, or PostgreSQL with DATABASE_URL).
 */
export default new DataSource(dataSourceOptions(loadLegworkConfig(loadEnvironment()).database, ENTITIES));
