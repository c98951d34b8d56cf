import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { QueryFailedError } from 'typeorm';
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import type { Database, Statement } from 'better-sqlite3';
import { sqliteConnectionOf } from './sqlite-connection';

/**
 * A query that runs per order event or per placement (the strategy host's leg look-up, the GTT linker, the rails'
 * checks), written once instead of built by TypeORM's query builder on every call: building and escaping the SQL
 * was most of what such a read cost (issue 15's profiles). The SQL is standard — quoted identifiers, `:named`
 * parameters, LIMIT — and is bound per call by the data source's own driver (`?` on SQLite, `$1` on PostgreSQL), so
 * the same text runs on both. On SQLite it is prepared once and run on the engine's connection.
 *
 * Rows come back as TypeORM would hydrate the entity's columns: each column named after an entity column (by its
 * database name) goes through the driver's own conversion (booleans, dates, JSON), so a row reads the same on both
 * databases. Columns that are not the entity's (COUNT(*) AS "n") come back raw.
 */
export class PreparedQuery<Row extends ObjectLiteral> {
  private columns: Map<string, ColumnMetadata | null> | undefined;
  private sqlite: Database | null | undefined;
  /** Per SQL text: one, unless a `:...list` parameter varies in length. */
  private readonly statements = new Map<string, Statement<unknown[]>>();

  /** A query over the repository's entity (its table and columns), on the repository's data source. */
  static on<Row extends ObjectLiteral>(repository: Repository<ObjectLiteral>, sql: string): PreparedQuery<Row> {
    return new PreparedQuery<Row>(repository.manager.connection, repository.target, sql);
  }

  constructor(
    private readonly dataSource: DataSource,
    private readonly entity: EntityTarget<ObjectLiteral>,
    private readonly sql: string,
  ) {}

  /** Every row. `manager`: inside that transaction (its connection on PostgreSQL). */
  async all(parameters: Record<string, unknown>, manager?: EntityManager): Promise<Row[]> {
    const rows = (await this.run(parameters, manager)) as Array<Record<string, unknown>>;
    return rows.map((row) => this.hydrate(row));
  }

  /** A statement that returns no rows (an INSERT, an UPDATE). */
  async execute(parameters: Record<string, unknown>, manager?: EntityManager): Promise<void> {
    await this.run(parameters, manager);
  }

  private async run(parameters: Record<string, unknown>, manager?: EntityManager): Promise<unknown> {
    const [sql, values] = this.dataSource.driver.escapeQueryWithParameters(this.sql, parameters, {});
    const sqlite = this.sqliteConnection();
    if (!sqlite) return (manager ?? this.dataSource.manager).query(sql, values);
    // SQLite: one connection, which every manager (transaction or not) uses, so the statement runs on it directly —
    // TypeORM's query runner around it (logging hooks, subscribers' broadcasts, timing) cost more than the statement.
    // Errors keep TypeORM's shape (QueryFailedError), so callers tell a unique violation the same way on both databases.
    let statement = this.statements.get(sql);
    try {
      if (!statement) this.statements.set(sql, (statement = sqlite.prepare(sql)));
      return statement.reader ? statement.all(...values) : statement.run(...values);
    } catch (error) {
      throw new QueryFailedError(sql, values, error as Error);
    }
  }

  /** The engine's better-sqlite3 connection, or null on another database. */
  private sqliteConnection(): Database | null {
    if (this.sqlite === undefined) this.sqlite = sqliteConnectionOf(this.dataSource);
    return this.sqlite;
  }

  /** The first row, or null. */
  async one(parameters: Record<string, unknown>, manager?: EntityManager): Promise<Row | null> {
    return (await this.all(parameters, manager))[0] ?? null;
  }

  private hydrate(raw: Record<string, unknown>): Row {
    const row: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(raw)) {
      const column = this.column(name);
      row[column ? column.propertyName : name] = column ? this.dataSource.driver.prepareHydratedValue(value, column) : value;
    }
    return row as Row;
  }

  private column(name: string): ColumnMetadata | null {
    this.columns ??= new Map();
    let column = this.columns.get(name);
    if (column === undefined) {
      column = this.dataSource.getMetadata(this.entity).columns.find((c) => c.databaseName === name) ?? null;
      this.columns.set(name, column);
    }
    return column;
  }
}
