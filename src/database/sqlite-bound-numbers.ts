import { AbstractSqliteDriver } from 'typeorm/driver/sqlite-abstract/AbstractSqliteDriver';

/** A number on its way through TypeORM's escaping, so that it is bound instead of written into the SQL. */
class BoundNumber {
  constructor(readonly value: number) {}
}

const PATCHED = Symbol.for('legwork.sqliteBoundNumbers');

/**
 * TypeORM's SQLite drivers write every numeric parameter into the SQL text (AbstractSqliteDriver.
 * escapeQueryWithParameters): an insert carrying a quantity, a price or an id is a new statement for every value, so
 * SQLite prepares it again each time and it pushes the hot statements out of the prepared-statement cache. Measured
 * on the postback → leg path: six fresh prepares per chain. Here numbers are bound like every other value instead.
 *
 * Same meaning as the inlined literal: a whole number is bound as a 64-bit integer (an inlined `10` is an INTEGER
 * too, so a text column still stores '10'), any other number as a double (as an inlined `470.5` is a REAL).
 * Applied once, for the SQLite data sources only (PostgreSQL's driver already binds numbers).
 */
export function bindSqliteNumbers(): void {
  const prototype = AbstractSqliteDriver.prototype as unknown as Record<PropertyKey, unknown> & {
    escapeQueryWithParameters: (
      this: unknown,
      sql: string,
      parameters: Record<string, unknown>,
      nativeParameters: Record<string, unknown>,
    ) => [string, unknown[]];
  };
  if (prototype[PATCHED]) return;
  const original = prototype.escapeQueryWithParameters;
  prototype.escapeQueryWithParameters = function (sql, parameters, nativeParameters) {
    let boxed = parameters;
    if (parameters) {
      boxed = {};
      for (const [key, value] of Object.entries(parameters)) boxed[key] = typeof value === 'number' ? new BoundNumber(value) : value;
    }
    const [query, values] = original.call(this, sql, boxed, nativeParameters);
    return [query, values.map(toBindable)];
  };
  prototype[PATCHED] = true;
}

function toBindable(value: unknown): unknown {
  const number = value instanceof BoundNumber ? value.value : value;
  return typeof number === 'number' && Number.isSafeInteger(number) ? BigInt(number) : number;
}
