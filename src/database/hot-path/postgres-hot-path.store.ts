import type { DataSource, QueryRunner } from 'typeorm';
import type { OrderSnapshot } from '../../events/order-snapshot';
import { ORDER_SNAPSHOT_KEYS } from '../../events/order-snapshot';
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

const ORDER_COLUMNS = [...ORDER_SNAPSHOT_KEYS, 'lastPayload'];
/** Array types for unnest(): one multi-row statement per table and batch instead of a round trip per row. */
const INTEGER_COLUMNS = new Set(['quantity', 'filledQuantity', 'pendingQuantity', 'cancelledQuantity']);
const FLOAT_COLUMNS = new Set(['price', 'triggerPrice', 'averagePrice']);
const arrayType = (column: string) => (INTEGER_COLUMNS.has(column) ? 'int[]' : FLOAT_COLUMNS.has(column) ? 'float8[]' : 'text[]');
const unnestOf = (columns: readonly string[], from = 1) => `unnest(${columns.map((c, i) => `$${from + i}::${arrayType(c)}`).join(', ')})`;

/** Rows per transaction when storing a reconcile plan (as on SQLite: bounds how long the write queue is held). */
const ROWS_PER_TRANSACTION = 5_000;

const quoted = (columns: readonly string[]) => columns.map((c) => `"${c}"`).join(', ');

/**
 * SQLSTATE classes that say the server cannot take the unit of work (not that its data is wrong): connection
 * (08), insufficient resources (53), operator intervention (57: shutdown, crash), system/internal errors (58, XX),
 * read-only transaction (25006) and a schema not what this build expects (42P01 table, 42703 column). Plus the
 * socket's own errors before any SQLSTATE. Integrity violations (23) are about the data.
 */
const UNAVAILABLE_STATE = /^(08|53|57|58|XX|25006|42P01|42703)/;
const SOCKET = /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH)$/;
function unavailable(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown }; message?: unknown };
  const code = textOf(e?.driverError?.code ?? e?.code ?? '');
  if (UNAVAILABLE_STATE.test(code) || SOCKET.test(code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(textOf(e?.message ?? ''));
}

type PendingRow = { id: number; source: BatchEntry['source']; orderId: string; rawBody: string };

/**
 * The hot-path store on PostgreSQL: each unit of work one transaction on a pooled connection, the same steps and
 * rules as on SQLite (the caller's `decide` between reads and writes), with the orders read `FOR UPDATE` and the
 * inbox deduplicated by its unique key (ON CONFLICT), so the same update through two instances is stored once.
 * Units of work of this process still take turns through WriteTransactions (arrival order, as on SQLite); other
 * instances' transactions interleave, and the version guard on orders and the pending guard on inbox rows turn a
 * lost race into ConcurrentUpdateError (retried). A COMMIT is durable when it returns (PostgreSQL's own WAL).
 */
export class PostgresHotPathStore implements HotPathStore {
  readonly oneBatchAtATime = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly writes: WriteTransactions,
  ) {}

  ingest<W extends OrderStateWrites>(intake: readonly InboxIntake[], options: IngestOptions<W>): Promise<Committed<IngestOutcome<W>>> {
    return this.writes
      .exclusiveThenDurable(() => this.transaction((q) => this.ingestNow(q, intake, options)), false)
      .then(({ result }) => ({ outcome: result, durable: Promise.resolve() }));
  }

  async pendingIds(limit: number): Promise<number[]> {
    const rows = await this.read<Array<{ id: number }>>(`SELECT "id" FROM "inbox" WHERE "processedAt" IS NULL ORDER BY "id" LIMIT $1`, [limit]);
    return rows.map((r) => r.id);
  }

  applyPending<W extends OrderStateWrites>(ids: readonly number[], decide: Decide<W>): Promise<Applied<W> | null> {
    return this.writes.exclusive(
      () =>
        this.transaction(async (q) => {
          const wanted = [...new Set(ids)].sort((a, b) => a - b);
          if (wanted.length === 0) return null;
          // Locked: another instance applying the same entries waits here, then finds them processed.
          const rows = (await q.query(
            `SELECT "id", "source", "orderId", "rawBody" FROM "inbox" WHERE "processedAt" IS NULL AND "id" = ANY($1::int[]) ORDER BY "id" FOR UPDATE`,
            [wanted],
          )) as PendingRow[];
          if (rows.length === 0) return null;
          const now = new Date();
          const entries: BatchEntry[] = rows.map(({ source, orderId, rawBody }) => ({ source, orderId, rawBody }));
          const writes = decide(entries, await this.loadOrders(q, entries));
          const marked = rowsOf(
            await q.query(
              `UPDATE "inbox" AS i SET "processedAt" = $1, "outcome" = t.oc, "note" = t.nt, "attempts" = i."attempts" + 1
               FROM unnest($2::int[], $3::text[], $4::text[]) AS t(id, oc, nt) WHERE i."id" = t.id AND i."processedAt" IS NULL RETURNING i."id"`,
              [now, rows.map((r) => r.id), writes.marks.map((m) => m.outcome), writes.marks.map((m) => m.note)],
            ),
          );
          if (marked.length !== rows.length) throw new ConcurrentUpdateError(`${rows.length - marked.length} inbox entr(ies) were already processed`);
          const eventIds = await this.writeState(
            q,
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
      stored += await this.writes.exclusive(() => this.transaction((q) => this.insertPending(q, slice, new Date())), { durable: false });
    }
    return stored;
  }

  async storeReconciled(rows: readonly ReconcileIntake[], liveSince?: number): Promise<{ written: number; overtaken: number }> {
    const result = { written: 0, overtaken: 0 };
    for (let i = 0; i < rows.length; i += ROWS_PER_TRANSACTION) {
      const slice = rows.slice(i, i + ROWS_PER_TRANSACTION);
      await this.writes.exclusive(
        () =>
          this.transaction(async (q) => {
            // The check and the insert in one transaction; the lock keeps another instance's live insert from slipping in between.
            if (liveSince !== undefined) await q.query(`LOCK TABLE "inbox" IN SHARE ROW EXCLUSIVE MODE`);
            const live =
              liveSince === undefined
                ? new Set<string>()
                : new Set(
                    (
                      (await q.query(`SELECT DISTINCT "orderId" FROM "inbox" WHERE "id" > $1 AND "source" <> 'reconcile'`, [liveSince])) as Array<{
                        orderId: string;
                      }>
                    ).map((r) => r.orderId),
                  );
            const left = new Set<string>();
            const keep = slice.filter((row) => {
              if (!row.advances && live.has(row.orderId)) {
                left.add(row.orderId);
                return false;
              }
              return true;
            });
            result.written += await this.insertPending(q, keep, new Date());
            result.overtaken += left.size;
          }),
        { durable: false },
      );
    }
    return result;
  }

  async lastInboxId(): Promise<number> {
    const [row] = await this.read<Array<{ id: number | null }>>(`SELECT MAX("id") AS "id" FROM "inbox"`);
    return Number(row?.id ?? 0);
  }

  park(id: number, attempts: number, reason: string): Promise<void> {
    return this.writes.exclusive(() =>
      this.transaction(async (q) => {
        await q.query(`UPDATE "inbox" SET "processedAt" = $1, "outcome" = 'failed', "attempts" = $2, "note" = $3 WHERE "id" = $4`, [
          new Date(),
          attempts,
          reason,
          id,
        ]);
      }),
    );
  }

  async countPending(): Promise<number> {
    const [row] = await this.read<Array<{ n: string }>>(`SELECT COUNT(*) AS "n" FROM "inbox" WHERE "processedAt" IS NULL`);
    return Number(row.n);
  }

  async undispatched(limit: number, skip: ReadonlySet<number>): Promise<OutboxRow[]> {
    const rows = await this.read<OutboxRow[]>(
      `SELECT "id", "orderId", "type", "source", "payload" FROM "order_events" WHERE "dispatchedAt" IS NULL ORDER BY "id" LIMIT $1`,
      [limit + skip.size],
    );
    return (skip.size === 0 ? rows : rows.filter((r) => !skip.has(r.id))).slice(0, limit);
  }

  markDispatched(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.writes.exclusive(
      () =>
        this.transaction(async (q) => {
          await q.query(`UPDATE "order_events" SET "dispatchedAt" = $1 WHERE "id" = ANY($2::int[])`, [new Date(), [...ids]]);
        }),
      { durable: false },
    );
  }

  /**
   * Callers arriving while a write of external orders is in flight share the next one (one transaction, in call
   * order): the rails' tracker calls this per order event, and a round trip each would pace the whole intake.
   */
  recordExternalOrders(rows: readonly ExternalOrderRow[]): Promise<boolean[]> {
    return new Promise((resolve, reject) => {
      this.externalCalls.push({ rows, resolve, reject });
      this.writeExternalOrders();
    });
  }

  private readonly externalCalls: Array<{ rows: readonly ExternalOrderRow[]; resolve(fresh: boolean[]): void; reject(error: unknown): void }> = [];
  private externalWriting = false;

  private writeExternalOrders(): void {
    if (this.externalWriting || this.externalCalls.length === 0) return;
    this.externalWriting = true;
    const calls = this.externalCalls.splice(0);
    const rows = calls.flatMap((c) => c.rows);
    this.writes
      .exclusive(() => this.transaction((q) => this.insertExternalOrders(q, rows)), { durable: false })
      .then(
        (fresh) => {
          let at = 0;
          for (const call of calls) call.resolve(fresh.slice(at, (at += call.rows.length)));
        },
        (error) => calls.forEach((call) => call.reject(error)),
      )
      .finally(() => {
        this.externalWriting = false;
        this.writeExternalOrders();
      });
  }

  private async insertExternalOrders(q: QueryRunner, rows: readonly ExternalOrderRow[]): Promise<boolean[]> {
    if (rows.length === 0) return [];
    const inserted = rowsOf(
      await q.query(
        `INSERT INTO "external_orders" ("orderId", "tag", "tradingsymbol", "transactionType", "firstSource", "tradingDay", "firstSeenAt")
         SELECT o, tg, ts, tt, fs, td, $7 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t(o, tg, ts, tt, fs, td, n) ORDER BY n
         ON CONFLICT ("orderId") DO NOTHING RETURNING "orderId"`,
        [
          rows.map((r) => r.orderId),
          rows.map((r) => r.tag),
          rows.map((r) => r.tradingsymbol),
          rows.map((r) => r.transactionType),
          rows.map((r) => r.firstSource),
          rows.map((r) => r.tradingDay),
          new Date(),
        ],
      ),
    ) as Array<{ orderId: string }>;
    // New: inserted here, and the first of its order in the batch (a repeat within the batch is not new).
    const fresh = new Set(inserted.map((r) => r.orderId));
    return rows.map((r) => fresh.delete(r.orderId));
  }

  private async ingestNow<W extends OrderStateWrites>(q: QueryRunner, intake: readonly InboxIntake[], { decide }: IngestOptions<W>): Promise<IngestOutcome<W>> {
    const now = new Date();
    // Repeats: stored before, or earlier in this batch.
    const stored = new Set(
      (
        (await q.query(`SELECT "dedupKey" FROM "inbox" WHERE "dedupKey" = ANY($1::text[])`, [intake.map((r) => r.dedupKey)])) as Array<{ dedupKey: string }>
      ).map((r) => r.dedupKey),
    );
    const seen = new Set<string>();
    const duplicates = intake.map((row) => {
      if (seen.has(row.dedupKey) || stored.has(row.dedupKey)) return true;
      seen.add(row.dedupKey);
      return false;
    });
    const fresh = intake.filter((_, i) => !duplicates[i]);
    const outcome: IngestOutcome<W> = { duplicates, applied: null, pending: 0 };
    // Stored pending; a key another instance stored since our read is a repeat after all (ON CONFLICT skipped it).
    const storeFresh = async () => {
      const written = await this.insertPendingKeys(q, fresh, now);
      intake.forEach((row, i) => {
        if (!duplicates[i] && !written.has(row.dedupKey)) duplicates[i] = true;
      });
      outcome.pending = written.size;
    };
    if (!decide || fresh.length === 0) {
      await storeFresh();
      return outcome;
    }

    // Per order, updates are applied in arrival order: an order with an older entry still pending waits for it.
    const waiting = new Set(
      (
        (await q.query(`SELECT DISTINCT "orderId" FROM "inbox" WHERE "processedAt" IS NULL AND "orderId" = ANY($1::text[])`, [
          [...new Set(fresh.map((r) => r.orderId))],
        ])) as Array<{ orderId: string }>
      ).map((r) => r.orderId),
    );
    const applicable = fresh.filter((row) => !waiting.has(row.orderId));
    if (applicable.length === 0) {
      await storeFresh();
      return outcome;
    }
    // A savepoint: if applying fails, the intake is still stored (the ack must not depend on processing).
    await q.query('SAVEPOINT "apply"');
    try {
      const entries: BatchEntry[] = applicable.map(({ source, orderId, rawBody, update }) => ({ source, orderId, rawBody, update }));
      const writes = decide(entries, await this.loadOrders(q, entries));
      await this.insertPending(
        q,
        fresh.filter((row) => waiting.has(row.orderId)),
        now,
      );
      const ids = await this.insertProcessed(q, applicable, writes.marks, now);
      const eventIds = await this.writeState(q, writes, ids, now);
      await q.query('RELEASE SAVEPOINT "apply"');
      outcome.applied = { ids, entries, writes, eventIds };
      outcome.pending = fresh.length - applicable.length;
    } catch (error) {
      if (unavailable(error)) throw error;
      await q.query('ROLLBACK TO SAVEPOINT "apply"');
      await storeFresh();
      outcome.applyError = error;
    }
    return outcome;
  }

  /** Insert rows pending, skipping keys already stored (by anyone). Returns how many were new. */
  private async insertPending(q: QueryRunner, rows: readonly InboxIntake[], now: Date): Promise<number> {
    return (await this.insertPendingKeys(q, rows, now)).size;
  }

  /** Insert rows pending, skipping keys already stored (by anyone). Returns the keys it stored. */
  private async insertPendingKeys(q: QueryRunner, rows: readonly InboxIntake[], now: Date): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    // One statement per batch, rows in order (WITH ORDINALITY keeps the ids in the order of the batch).
    const inserted: unknown = await q.query(
      `INSERT INTO "inbox" ("dedupKey", "source", "orderId", "rawBody", "receivedAt")
       SELECT k, s, o, b, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(k, s, o, b, n) ORDER BY n
       ON CONFLICT ("dedupKey") DO NOTHING RETURNING "dedupKey"`,
      [rows.map((r) => r.dedupKey), rows.map((r) => r.source), rows.map((r) => r.orderId), rows.map((r) => r.rawBody), now],
    );
    return new Set((rowsOf(inserted) as Array<{ dedupKey: string }>).map((r) => r.dedupKey));
  }

  /** The applied entries, stored processed in one statement; their ids in batch order. */
  private async insertProcessed(q: QueryRunner, rows: readonly InboxIntake[], marks: OrderStateWrites['marks'], now: Date): Promise<number[]> {
    const inserted = rowsOf(
      await q.query(
        `INSERT INTO "inbox" ("dedupKey", "source", "orderId", "rawBody", "receivedAt", "processedAt", "outcome", "note", "attempts")
         SELECT k, s, o, b, $7, $7, oc, nt, 1 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t(k, s, o, b, oc, nt, n) ORDER BY n
         ON CONFLICT ("dedupKey") DO NOTHING RETURNING "id", "dedupKey"`,
        [
          rows.map((r) => r.dedupKey),
          rows.map((r) => r.source),
          rows.map((r) => r.orderId),
          rows.map((r) => r.rawBody),
          marks.map((m) => m.outcome),
          marks.map((m) => m.note),
          now,
        ],
      ),
    ) as Array<{ id: number; dedupKey: string }>;
    // Another instance stored one of these updates since our read: it is that instance's to apply.
    if (inserted.length !== rows.length) throw new ConcurrentUpdateError(`${rows.length - inserted.length} update(s) were stored concurrently`);
    const idOf = new Map(inserted.map((r) => [r.dedupKey, r.id]));
    return rows.map((r) => idOf.get(r.dedupKey)!);
  }

  private async loadOrders(q: QueryRunner, entries: readonly BatchEntry[]): Promise<Map<string, StoredOrder>> {
    const orders = new Map<string, StoredOrder>();
    const ids = [...new Set(entries.map((e) => e.orderId))];
    const rows = (await q.query(`SELECT ${quoted(ORDER_SNAPSHOT_KEYS)}, "version" FROM "orders" WHERE "orderId" = ANY($1::text[]) FOR UPDATE`, [ids])) as Array<
      OrderSnapshot & { version: number }
    >;
    for (const { version, ...state } of rows) orders.set(state.orderId, { state, version });
    return orders;
  }

  /**
   * Orders, events and fills of an applied batch, one statement per kind; returns the event ids. `entryIds`: inbox id
   * per batch entry.
   */
  private async writeState(q: QueryRunner, writes: OrderStateWrites, entryIds: readonly number[], now: Date): Promise<number[]> {
    const column = (rows: OrderStateWrites['orders'], c: string) =>
      rows.map(({ state, lastPayload }) => (c === 'lastPayload' ? lastPayload : state[c as keyof OrderSnapshot]));
    const inserts = writes.orders.filter((o) => o.storedVersion === null);
    if (inserts.length > 0) {
      const n = ORDER_COLUMNS.length;
      const inserted = rowsOf(
        await q.query(
          `INSERT INTO "orders" (${quoted(ORDER_COLUMNS)}, "version", "createdAt", "updatedAt")
           SELECT ${quoted(ORDER_COLUMNS)}, 1, $${n + 1}, $${n + 1} FROM ${unnestOf(ORDER_COLUMNS)} AS t(${quoted(ORDER_COLUMNS)})
           ON CONFLICT ("orderId") DO NOTHING RETURNING "orderId"`,
          [...ORDER_COLUMNS.map((c) => column(inserts, c)), now],
        ),
      );
      // Another writer stored one of these orders since our read: retried against its state.
      if (inserted.length !== inserts.length) throw new ConcurrentUpdateError(`${inserts.length - inserted.length} order(s) were stored concurrently`);
    }
    const updates = writes.orders.filter((o) => o.storedVersion !== null);
    if (updates.length > 0) {
      const n = ORDER_COLUMNS.length;
      const updated = rowsOf(
        await q.query(
          `UPDATE "orders" AS o SET ${ORDER_COLUMNS.slice(1)
            .map((c) => `"${c}" = t."${c}"`)
            .join(', ')}, "version" = o."version" + 1, "updatedAt" = $${n + 2}
           FROM ${unnestOf([...ORDER_COLUMNS, 'quantity'])} AS t(${quoted(ORDER_COLUMNS)}, "storedVersion")
           WHERE o."orderId" = t."orderId" AND o."version" = t."storedVersion" RETURNING o."orderId"`,
          [...ORDER_COLUMNS.map((c) => column(updates, c)), updates.map((u) => u.storedVersion), now],
        ),
      );
      if (updated.length !== updates.length) throw new ConcurrentUpdateError(`${updates.length - updated.length} order(s) changed concurrently`);
    }
    let eventIds: number[] = [];
    if (writes.events.length > 0) {
      const e = writes.events;
      const inserted = rowsOf(
        await q.query(
          `INSERT INTO "order_events" ("orderId", "type", "status", "filledQuantity", "source", "inboxId", "payload", "createdAt")
           SELECT o, ty, st, fq, so, ib, pl, $8 FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[]) WITH ORDINALITY AS t(o, ty, st, fq, so, ib, pl, n) ORDER BY n
           RETURNING "id"`,
          [
            e.map((x) => x.orderId),
            e.map((x) => x.type),
            e.map((x) => x.status),
            e.map((x) => x.filledQuantity),
            e.map((x) => x.source),
            e.map((x) => entryIds[x.entry]),
            e.map((x) => x.payload),
            now,
          ],
        ),
      ) as Array<{ id: number }>;
      // Ids come from the sequence in insertion order (ORDER BY n): ascending ids are the events in order.
      eventIds = inserted.map((r) => r.id).sort((a, b) => a - b);
    }
    if (writes.fills.length > 0) {
      const f = writes.fills;
      await q.query(
        `INSERT INTO "fills" ("orderId", "tradingsymbol", "transactionType", "quantity", "price", "cumulativeQuantity", "exchangeTimestamp", "orderEventId", "createdAt")
         SELECT o, ts, tt, qy, pr, cq, et, ev, $9 FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::float8[], $6::int[], $7::text[], $8::int[]) WITH ORDINALITY AS t(o, ts, tt, qy, pr, cq, et, ev, n) ORDER BY n`,
        [
          f.map((x) => x.orderId),
          f.map((x) => x.tradingsymbol),
          f.map((x) => x.transactionType),
          f.map((x) => x.quantity),
          f.map((x) => x.price),
          f.map((x) => x.cumulativeQuantity),
          f.map((x) => x.exchangeTimestamp),
          f.map((x) => (x.event === null ? null : eventIds[x.event])),
          now,
        ],
      );
    }
    return eventIds;
  }

  /** One transaction on a pooled connection; a server or connection failure becomes StoreUnavailableError. */
  private async transaction<T>(work: (q: QueryRunner) => Promise<T>): Promise<T> {
    let q: QueryRunner | undefined;
    try {
      q = this.dataSource.createQueryRunner('master');
      await q.connect();
      await q.startTransaction();
      try {
        const result = await work(q);
        await q.commitTransaction();
        return result;
      } catch (error) {
        if (q.isTransactionActive) await q.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      throw unavailable(error) ? new StoreUnavailableError(error) : error;
    } finally {
      await q?.release().catch(() => undefined);
    }
  }

  private async read<T>(sql: string, parameters: unknown[] = []): Promise<T> {
    try {
      return await this.dataSource.query(sql, parameters);
    } catch (error) {
      throw unavailable(error) ? new StoreUnavailableError(error) : error;
    }
  }
}

/** TypeORM's postgres query() returns rows for SELECT / RETURNING, and [rows, count] for UPDATE / DELETE. */
function rowsOf(result: unknown): unknown[] {
  return Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : (result as unknown[]);
}
