import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * UPDATE target SET values WHERE id IN (ids) [AND <column> IS NULL], the ids bound as parameters; returns the rows
 * changed. Why not manager.update(target, { id }) or .where({ id: In(ids) }): for an UPDATE, TypeORM writes those ids
 * into the SQL text, so every call was a new statement for SQLite to prepare (~0.2–0.5 ms each on the hot path) and
 * pushed the prepared ones out of the statement cache.
 */
export async function updateByIds<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  ids: number[],
  values: QueryDeepPartialEntity<T>,
  options: { whereNull?: string } = {},
): Promise<number> {
  if (ids.length === 0) return 0;
  const query = manager.createQueryBuilder().update(target).set(values);
  let where = `${query.escape('id')} IN (:...ids)`;
  if (options.whereNull) where += ` AND ${query.escape(options.whereNull)} IS NULL`;
  const result = await query.where(where, { ids }).execute();
  return result.affected ?? 0;
}
