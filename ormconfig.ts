import { DataSource } from 'typeorm';
import { loadEnvironment } from './src/config/environment-file';
import { loadLegworkConfig } from './src/config/legwork.config';
import { sqliteDataSourceOptions } from './src/database/data-source.options';
import { ENTITIES } from './src/entities';

/**
 * The DataSource the TypeORM CLI uses (npm run typeorm -- migration:run|migration:generate|...).
 * It reads the same environment (and .env) as the engine, so it opens the same SQLite file.
 */
export default new DataSource(sqliteDataSourceOptions(loadLegworkConfig(loadEnvironment()).database, ENTITIES));
