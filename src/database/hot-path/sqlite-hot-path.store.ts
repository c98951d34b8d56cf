import type { Database } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import type { OrderSnapshot } from '../../events/order-snapshot';
import { ORDER_SNAPSHOT_KEYS } from '../../events/order-snapshot';
import { sqliteConnectionOf } from '../sqlite-connection';
import type { WriteTransactions } from '../write-transactions';
import {
  Applied,
  BatchEntry,
  Committed,
  ConcurrentUpdateError,
  Decide,
  ExternalOrderRow,
  HotPathStore,
  InboxIntake,
  IngestOptions,
  IngestOutcome,
  OrderStateWrites,
  OutboxRow,
  ReconcileIntake,
  StoredOrder,
  StoreUnavailableError,
} from './hot-path.store';
import { textOf } from '../../common/text-of';

/** Rows per transaction when storing a reconcile plan: bounds how long it holds the write queue (acks wait behind it). */
const ROWS_PER_TRANSACTION = 5_000;

const quoted = (columns: readonly string[]) => columns.map((c) => `"${c}"`).join(', ');
const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** UTC 'yyyy-mm-dd hh:mm:ss.sss', the way TypeORM stores dates in SQLite (so its entities read them back as Dates). */
const sqliteNow = () => new Date().toISOString().replace('T', ' ').slice(0, 23);

/**
 * SQLite result codes that say the database cannot take the unit of work (not that its data is wrong): I/O, locks,
 * space, permissions, corruption, and SQLITE_ERROR (a missing table or column: the schema is not what this build
 * expects). Constraint violations are about the data.
 */
const UNAVAILABLE = /^SQLITE_(ERROR|IOERR|BUSY|LOCKED|FULL|READONLY|CANTOPEN|CORRUPT|NOTADB|PROTOCOL|NOMEM|PERM|AUTH)/;
const unavailable = (error: unknown) => UNAVAILABLE.test(textOf((error as { code?: unknown })?.code ?? ''));

type PendingRow = { id: number; source: BatchEntry['source']; orderId: string; rawBody: string };

/**
 * The hot-path store on SQLite: statements prepared once on the engine's better-sqlite3 connection (the one TypeORM
 * opened, so there is still one writer), each unit of work one synchronous transaction — nothing else can run on
 * the connection in the middle of it — taken in turn with every other write through WriteTransactions. Durable units
 * of work wait for the WAL's fdatasync off the event loop (see commitSync).
 */
export class SqliteHotPathStore implements HotPathStore {
  private statements: ReturnType<SqliteHotPathStore['prepare']> | undefined;
  /** One transaction wrapper for every unit of work (better-sqlite3 builds four wrappers per transaction() call). */
  private inTransaction: (((work: () => unknown) => unknown) & { immediate(work: () => unknown): unknown }) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly writes: WriteTransactions,
  ) {}

  ingest<W extends OrderStateWrites>(intake: readonly InboxIntake[], options: IngestOptions<W>): Promise<Committed<IngestOutcome<W>>> {
    return this.writes
      .exclusiveThenDurable(() => this.transaction(() => this.ingestNow(intake, options)), options.durable)
      .then(({ result, durable }) => ({ outcome: result, durable }));
  }

  pendingIds(limit: number): Promise<number[]> {
    return this.readAsync(() => this.sql().pendingIds.all(limit) as number[]);
  }

  applyPending<W extends OrderStateWrites>(ids: readonly number[], decide: Decide<W>): Promise<Applied<W> | null> {
    return this.writes.exclusive(
      () =>
        this.transaction(() => {
          const s = this.sql();
          // One range read (the pending index, in id order) instead of a lookup per id; ids not asked for are left out.
          const wanted = new Set(ids);
          const sorted = [...wanted].sort((a, b) => a - b);
          const rows = sorted.length === 0 ? [] : (s.pendingRange.all(sorted[0], sorted[sorted.length - 1]) as PendingRow[]).filter((r) => wanted.has(r.id));
          if (rows.length === 0) return null;
          const now = sqliteNow();
          const entries: BatchEntry[] = rows.map(({ source, orderId, rawBody }) => ({ source, orderId, rawBody }));
          const writes = decide(entries, this.loadOrders(entries));
          rows.forEach((row, i) => {
            const { outcome, note } = writes.marks[i];
            if (s.markEntry.run(now, outcome, note, row.id).changes !== 1) {
              throw new ConcurrentUpdateError(`inbox entry ${row.id} was already processed`);
            }
          });
          const eventIds = this.writeState(
            writes,
            rows.map((r) => r.id),
            now,
          );
          return { ids: rows.map((r) => r.id), entries, writes, eventIds };
        }),
      { durable: false },
    );
  }

  async storePending(rows: readonly InboxIntake[]): Promise<number> {
    let stored = 0;
    for (let i = 0; i < rows.length; i += ROWS_PER_TRANSACTION) {
      const slice = rows.slice(i, i + ROWS_PER_TRANSACTION);
      stored += await this.writes.exclusive(
        () =>
          this.transaction(() => {
            const now = sqliteNow();
            let n = 0;
            for (const row of slice) if (this.sql().insertPending.run(row.dedupKey, row.source, row.orderId, row.rawBody, now).changes === 1) n++;
            return n;
          }),
        { durable: false },
      );
    }
    return stored;
  }

  async storeReconciled(rows: readonly ReconcileIntake[], liveSince?: number): Promise<{ written: number; overtaken: number }> {
    const result = { written: 0, overtaken: 0 };
    for (let i = 0; i < rows.length; i += ROWS_PER_TRANSACTION) {
      const slice = rows.slice(i, i + ROWS_PER_TRANSACTION);
      await this.writes.exclusive(
        () =>
          this.transaction(() => {
            const s = this.sql();
            const live = liveSince === undefined ? new Set<string>() : new Set(s.liveOrdersSince.all(liveSince) as string[]);
            const left = new Set<string>();
            const now = sqliteNow();
            for (const row of slice) {
              if (!row.advances && live.has(row.orderId)) {
                left.add(row.orderId);
                continue;
              }
              if (s.insertPending.run(row.dedupKey, row.source, row.orderId, row.rawBody, now).changes === 1) result.written++;
            }
            result.overtaken += left.size;
          }),
        { durable: false },
      );
    }
    return result;
  }

  lastInboxId(): Promise<number> {
    return this.readAsync(() => Number(this.sql().lastInboxId.get() ?? 0));
  }

  park(id: number, attempts: number, reason: string): Promise<void> {
    return this.writes.exclusive(() => void this.transaction(() => this.sql().park.run(sqliteNow(), attempts, reason, id)));
  }

  countPending(): Promise<number> {
    return this.readAsync(() => this.sql().countPending.get() as number);
  }

  undispatched(limit: number, skip: ReadonlySet<number>): Promise<OutboxRow[]> {
    // Rows in hand are still undispatched in the table: read past them.
    return this.readAsync(() => {
      const rows = this.sql().undispatched.all(limit + skip.size) as OutboxRow[];
      return (skip.size === 0 ? rows : rows.filter((r) => !skip.has(r.id))).slice(0, limit);
    });
  }

  markDispatched(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.writes.exclusive(
      () =>
        this.transaction(() => {
          const now = sqliteNow();
          for (const id of ids) this.sql().markDispatched.run(now, id);
        }),
      { durable: false },
    );
  }

  recordExternalOrders(rows: readonly ExternalOrderRow[]): Promise<boolean[]> {
    return this.writes.exclusive(
      () =>
        this.transaction(() => {
          const now = sqliteNow();
          return rows.map(
            (r) => this.sql().insertExternal.run(r.orderId, r.tag, r.tradingsymbol, r.transactionType, r.firstSource, r.tradingDay, now).changes === 1,
          );
        }),
      { durable: false },
    );
  }

  private ingestNow<W extends OrderStateWrites>(intake: readonly InboxIntake[], { decide }: IngestOptions<W>): IngestOutcome<W> {
    const s = this.sql();
    const now = sqliteNow();

    // Repeats: stored before, or earlier in this batch.
    const seen = new Set<string>();
    const duplicates = intake.map((row) => {
      if (seen.has(row.dedupKey) || s.dedupKeyStored.get(row.dedupKey) !== undefined) return true;
      seen.add(row.dedupKey);
      return false;
    });
    const fresh = intake.filter((_, i) => !duplicates[i]);
    const storePending = (rows: readonly InboxIntake[]) => {
      for (const row of rows) s.insertPending.run(row.dedupKey, row.source, row.orderId, row.rawBody, now);
    };
    const outcome: IngestOutcome<W> = { duplicates, applied: null, pending: 0 };
    if (!decide || fresh.length === 0) {
      storePending(fresh);
      outcome.pending = fresh.length;
      return outcome;
    }

    // Per order, updates are applied in arrival order: an order with an older entry still pending waits for it.
    // Usually nothing at all is pending: one probe of the pending index then spares a lookup per order.
    const anyPending = s.anyPending.get() !== undefined;
    const waiting = new Map<string, boolean>();
    const waits = (orderId: string) => {
      if (!anyPending) return false;
      let w = waiting.get(orderId);
      if (w === undefined) waiting.set(orderId, (w = s.pendingForOrder.get(orderId) !== undefined));
      return w;
    };
    const applicable = fresh.filter((row) => !waits(row.orderId));
    if (applicable.length === 0) {
      storePending(fresh);
      outcome.pending = fresh.length;
      return outcome;
    }
    try {
      // A savepoint: if applying fails, the intake is still stored (the ack must not depend on processing).
      outcome.applied = this.transaction(() => {
        const entries: BatchEntry[] = applicable.map(({ source, orderId, rawBody, update }) => ({ source, orderId, rawBody, update }));
        const writes = decide(entries, this.loadOrders(entries));
        const ids: number[] = [];
        let next = 0;
        for (const row of fresh) {
          if (waits(row.orderId)) {
            s.insertPending.run(row.dedupKey, row.source, row.orderId, row.rawBody, now);
            continue;
          }
          const { outcome: result, note } = writes.marks[next++];
          ids.push(Number(s.insertProcessed.run(row.dedupKey, row.source, row.orderId, row.rawBody, now, now, result, note).lastInsertRowid));
        }
        const eventIds = this.writeState(writes, ids, now);
        return { ids, entries, writes, eventIds };
      });
      outcome.pending = fresh.length - applicable.length;
    } catch (error) {
      storePending(fresh);
      outcome.pending = fresh.length;
      outcome.applyError = error;
    }
    return outcome;
  }

  private loadOrders(entries: readonly BatchEntry[]): Map<string, StoredOrder> {
    const orders = new Map<string, StoredOrder>();
    for (const { orderId } of entries) {
      if (orders.has(orderId)) continue;
      const row = this.sql().order.get(orderId) as (OrderSnapshot & { version: number }) | undefined;
      if (!row) continue;
      const { version, ...state } = row;
      orders.set(orderId, { state, version });
    }
    return orders;
  }

  /** Orders, events and fills of an applied batch; returns the event ids. `entryIds`: inbox id per batch entry. */
  private writeState(writes: OrderStateWrites, entryIds: readonly number[], now: string): number[] {
    const s = this.sql();
    for (const { state, lastPayload, storedVersion } of writes.orders) {
      const values = ORDER_SNAPSHOT_KEYS.map((c) => state[c]);
      if (storedVersion === null) {
        try {
          s.insertOrder.run(...values, lastPayload, now, now);
        } catch (error) {
          // Another writer stored this order since our read: retried against its state.
          if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
            throw new ConcurrentUpdateError(`order ${state.orderId} was stored concurrently`);
          throw error;
        }
      } else if (s.updateOrder.run(...values.slice(1), lastPayload, now, state.orderId, storedVersion).changes !== 1) {
        throw new ConcurrentUpdateError(`order ${state.orderId} changed concurrently`);
      }
    }
    const eventIds = writes.events.map((e) =>
      Number(s.insertEvent.run(e.orderId, e.type, e.status, e.filledQuantity, e.source, entryIds[e.entry], e.payload, now).lastInsertRowid),
    );
    for (const f of writes.fills) {
      s.insertFill.run(
        f.orderId,
        f.tradingsymbol,
        f.transactionType,
        f.quantity,
        f.price,
        f.cumulativeQuantity,
        f.exchangeTimestamp,
        f.event === null ? null : eventIds[f.event],
        now,
      );
    }
    return eventIds;
  }

  /** better-sqlite3 transactions nest as savepoints. IMMEDIATE: the write lock is taken up front (other processes may write too). */
  private transaction<T>(work: () => T): T {
    const db = this.db();
    const run = (this.inTransaction ??= db.transaction((unit: () => unknown) => unit()));
    if (db.inTransaction) return run(work) as T;
    try {
      return run.immediate(work) as T;
    } catch (error) {
      throw unavailable(error) ? new StoreUnavailableError(error) : error;
    }
  }

  /** read(), as a promise: what it throws comes back as a rejection. */
  private readAsync<T>(query: () => T): Promise<T> {
    return new Promise<T>((resolve) => resolve(this.read(query)));
  }

  private read<T>(query: () => T): T {
    try {
      return query();
    } catch (error) {
      throw unavailable(error) ? new StoreUnavailableError(error) : error;
    }
  }

  private db(): Database {
    return sqliteConnectionOf(this.dataSource)!;
  }

  private sql() {
    return (this.statements ??= this.prepare(this.db()));
  }

  /** Prepared once, on first use (after the migrations ran). */
  private prepare(db: Database) {
    const orderColumns = [...ORDER_SNAPSHOT_KEYS, 'lastPayload'];
    const statements = {
      dedupKeyStored: db.prepare(`SELECT 1 FROM "inbox" WHERE "dedupKey" = ?`).pluck(),
      anyPending: db.prepare(`SELECT 1 FROM "inbox" WHERE "processedAt" IS NULL LIMIT 1`).pluck(),
      pendingForOrder: db.prepare(`SELECT 1 FROM "inbox" WHERE "orderId" = ? AND "processedAt" IS NULL LIMIT 1`).pluck(),
      insertPending: db.prepare(
        `INSERT INTO "inbox" ("dedupKey", "source", "orderId", "rawBody", "receivedAt") VALUES (?, ?, ?, ?, ?) ON CONFLICT ("dedupKey") DO NOTHING`,
      ),
      insertProcessed: db.prepare(
        `INSERT INTO "inbox" ("dedupKey", "source", "orderId", "rawBody", "receivedAt", "processedAt", "outcome", "note", "attempts") VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)`,
      ),
      pendingIds: db.prepare(`SELECT "id" FROM "inbox" WHERE "processedAt" IS NULL ORDER BY "id" LIMIT ?`).pluck(),
      pendingRange: db.prepare(`SELECT "id", "source", "orderId", "rawBody" FROM "inbox" WHERE "processedAt" IS NULL AND "id" BETWEEN ? AND ? ORDER BY "id"`),
      markEntry: db.prepare(
        `UPDATE "inbox" SET "processedAt" = ?, "outcome" = ?, "note" = ?, "attempts" = "attempts" + 1 WHERE "id" = ? AND "processedAt" IS NULL`,
      ),
      park: db.prepare(`UPDATE "inbox" SET "processedAt" = ?, "outcome" = 'failed', "attempts" = ?, "note" = ? WHERE "id" = ?`),
      countPending: db.prepare(`SELECT COUNT(*) FROM "inbox" WHERE "processedAt" IS NULL`).pluck(),
      lastInboxId: db.prepare(`SELECT MAX("id") FROM "inbox"`).pluck(),
      liveOrdersSince: db.prepare(`SELECT DISTINCT "orderId" FROM "inbox" WHERE "id" > ? AND "source" <> 'reconcile'`).pluck(),
      order: db.prepare(`SELECT ${quoted(ORDER_SNAPSHOT_KEYS)}, "version" FROM "orders" WHERE "orderId" = ?`),
      insertOrder: db.prepare(
        `INSERT INTO "orders" (${quoted(orderColumns)}, "version", "createdAt", "updatedAt") VALUES (${placeholders(orderColumns.length)}, 1, ?, ?)`,
      ),
      updateOrder: db.prepare(
        `UPDATE "orders" SET ${orderColumns
          .slice(1)
          .map((c) => `"${c}" = ?`)
          .join(', ')}, "version" = "version" + 1, "updatedAt" = ? WHERE "orderId" = ? AND "version" = ?`,
      ),
      insertEvent: db.prepare(
        `INSERT INTO "order_events" ("orderId", "type", "status", "filledQuantity", "source", "inboxId", "payload", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertFill: db.prepare(
        `INSERT INTO "fills" ("orderId", "tradingsymbol", "transactionType", "quantity", "price", "cumulativeQuantity", "exchangeTimestamp", "orderEventId", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      markDispatched: db.prepare(`UPDATE "order_events" SET "dispatchedAt" = ? WHERE "id" = ?`),
      insertExternal: db.prepare(
        `INSERT INTO "external_orders" ("orderId", "tag", "tradingsymbol", "transactionType", "firstSource", "tradingDay", "firstSeenAt") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("orderId") DO NOTHING`,
      ),
      undispatched: db.prepare(`SELECT "id", "orderId", "type", "source", "payload" FROM "order_events" WHERE "dispatchedAt" IS NULL ORDER BY "id" LIMIT ?`),
    };
    return statements;
  }
}
