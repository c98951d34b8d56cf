import { DataSource } from 'typeorm';
import { loadLegworkConfig } from './src/config/legwork.config';
import { sqliteDataSourceOptions } from './src/database/data-source.options';

/**
 * The DataSource the TypeORM CLI uses (npm run typeorm -- migration:run|migration:generate|...).
 * It reads the same environment variables as the engine, so it opens the same SQLite file.
 */
export default new DataSource(sqliteDataSourceOptions(loadLegworkConfig(process.env).database));
