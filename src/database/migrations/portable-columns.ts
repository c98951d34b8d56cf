import type { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Column definitions for migrations written with TypeORM's Table API, which each driver turns into its own DDL, so
 * the same migration runs on SQLite and on PostgreSQL. Only the timestamp type differs by name.
 */
export function portableColumns(queryRunner: QueryRunner) {
  const timestamp = queryRunner.connection.driver.options.type === 'postgres' ? 'timestamp' : 'datetime';
  return {
    id: (): TableColumnOptions => ({ name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' }),
    varchar: (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable }),
    text: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable }),
    integer: (name: string, options: { nullable?: boolean; default?: number } = {}): TableColumnOptions => ({
      name,
      type: 'integer',
      isNullable: options.nullable ?? false,
      ...(options.default !== undefined ? { default: String(options.default) } : {}),
    }),
    boolean: (name: string, fallback: boolean): TableColumnOptions => ({ name, type: 'boolean', isNullable: false, default: fallback ? 'true' : 'false' }),
    timestamp: (name: string, nullable = true): TableColumnOptions => ({ name, type: timestamp, isNullable: nullable }),
    /** createdAt / updatedAt: CURRENT_TIMESTAMP is UTC "yyyy-mm-dd hh:mm:ss" on SQLite, as datetime('now'). */
    recordedAt: (name: string): TableColumnOptions => ({ name, type: timestamp, isNullable: false, default: 'CURRENT_TIMESTAMP' }),
  };
}
