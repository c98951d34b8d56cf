import type { OrderSnapshot } from '../../events/order-snapshot';
import type { OrderEventSource as InboxSource } from '../../events/order-snapshot';
import type { OrderUpdate, UpdateOutcome as InboxOutcome } from '../../events/order-update';

/**
 * The store behind the per-postback path: the inbox, the orders, order_events (the outbox) and fills. One interface,
 * one implementation per database (SQLite: src/database/hot-path/sqlite-hot-path.store.ts), each with statements
 * prepared once instead of built by the ORM per call. TypeORM keeps the entities, the migrations and everything off
 * this path.
 *
 * The unit of work is a batch: its inbox rows, the order state it decides, its events and fills and the inbox marks
 * commit together. What to store is decided by the caller (a pure `decide` function
 * run inside the unit of work, between the reads and the writes), so every implementation applies the same rules:
 * SQLite runs the whole batch as one synchronous transaction on the engine's connection; a server database runs the
 * same steps in one transaction of its own (reading the orders `FOR UPDATE`).
 */
export interface HotPathStore {
  /**
   * true: the intake hands over its next batch only once the previous one has committed, so batches grow while a
   * commit's round trips run (group commit on a server database). SQLite commits synchronously: unset.
   */
  readonly oneBatchAtATime?: boolean;

  /**
   * Store updates in the inbox (a repeat of a stored update, or of one earlier in the batch, is absorbed by the
   * dedup key) and, with `decide`, apply at once those whose order has no older entry still pending, all in one
   * unit of work. Should applying fail, the intake is committed alone (left pending for the processor) and the
   * error returned in `applyError`. Resolves once committed; `durable` resolves once the commit is on stable storage.
   */
  ingest<W extends OrderStateWrites>(intake: readonly InboxIntake[], options: IngestOptions<W>): Promise<Committed<IngestOutcome<W>>>;

  /** Ids of the oldest pending entries. */
  pendingIds(limit: number): Promise<number[]>;

  /**
   * Apply the given entries, those still pending, in id order, in one unit of work. Throws ConcurrentUpdateError when
   * another writer got there first (nothing is committed).
   */
  applyPending<W extends OrderStateWrites>(ids: readonly number[], decide: Decide<W>): Promise<Applied<W> | null>;

  /** Store updates pending, in order, in a few large transactions without their own fsync (reconcile). Returns how many were new. */
  storePending(rows: readonly InboxIntake[]): Promise<number>;

  /**
   * Store a reconcile plan pending, like storePending. With `liveSince` (the last inbox id before Kite's book was
   * read), the rows of orders that a live update (anything but reconcile) reached since are left out unless they
   * advance the order: a live update may be newer than the book's row, and Kite's one-second timestamps cannot tell.
   * That check and the insert share one transaction, so no live update can slip in between.
   */
  storeReconciled(rows: readonly ReconcileIntake[], liveSince?: number): Promise<{ written: number; overtaken: number }>;

  /** The newest inbox id (0 when the inbox is empty): taken before reading Kite's book, for storeReconciled. */
  lastInboxId(): Promise<number>;

  /** Give up on an entry that keeps failing: marked failed with the reason; its raw body stays. */
  park(id: number, attempts: number, reason: string): Promise<void>;

  /** Entries acknowledged and not yet processed. */
  countPending(): Promise<number>;

  /** Undispatched outbox rows, oldest first, skipping ids the caller already has in hand. */
  undispatched(limit: number, skip: ReadonlySet<number>): Promise<OutboxRow[]>;

  /** Mark events dispatched (derived data: no fsync of its own). */
  markDispatched(ids: readonly number[]): Promise<void>;

  /**
   * Record orders first seen as external (the rails' external_orders), in one unit of work without an fsync of its own
   * (derived from stored order events). Returns, per row, whether it was new (an order already recorded is kept).
   */
  recordExternalOrders(rows: readonly ExternalOrderRow[]): Promise<boolean[]>;
}

/** Nest injection token of the HotPathStore. */
export const HOT_PATH_STORE = Symbol('HOT_PATH_STORE');

/** An update on its way into the inbox: its dedup key, its route, and the body exactly as received. */
export interface InboxIntake {
  dedupKey: string;
  source: InboxSource;
  orderId: string;
  rawBody: string;
  /** The update already parsed at ingress, handed to `decide` so nothing is parsed twice. Not stored. */
  update?: OrderUpdate;
}

/** A row of a reconcile plan on its way into the inbox. */
export interface ReconcileIntake extends InboxIntake {
  /** It ends the order or adds fills beyond what the store held when the book was read: news whatever arrived meanwhile. */
  advances: boolean;
}

/** An inbox entry inside a unit of work. */
export interface BatchEntry {
  source: InboxSource;
  orderId: string;
  rawBody: string;
  /** Present when the entry came in this batch (parsed at ingress); pending entries are parsed from rawBody. */
  update?: OrderUpdate;
}

/** An order as stored: its state and the version its update is guarded by (optimistic lock). */
export interface StoredOrder {
  state: OrderSnapshot;
  version: number;
}

/** What applying a batch stores. Entries and events are referred to by their index in the batch. */
export interface OrderStateWrites {
  /** Per entry of the batch, in order: how it was processed. */
  marks: Array<{ outcome: InboxOutcome; note: string | null }>;
  /** Orders the batch changed, each once in its final state: inserted if `storedVersion` is null, else updated if still at that version. */
  orders: Array<{ state: OrderSnapshot; lastPayload: string; storedVersion: number | null }>;
  /** New order_events rows, in order; `entry` is the index of the entry that caused it. */
  events: Array<{ entry: number; orderId: string; type: string; status: string; filledQuantity: number; source: InboxSource; payload: string }>;
  /** New fills; `event` is the index (in `events`) of the order.filled event it belongs to. */
  fills: Array<{
    event: number | null;
    orderId: string;
    tradingsymbol: string | null;
    transactionType: string | null;
    quantity: number;
    /** null: unpriced (Kite's averages could not price the rise; priced later from its trades). */
    price: number | null;
    cumulativeQuantity: number;
    exchangeTimestamp: string | null;
  }>;
}

/** Decides what a batch stores, from its entries and the stored state of their orders. Pure; may throw. */
export type Decide<W extends OrderStateWrites> = (entries: readonly BatchEntry[], orders: ReadonlyMap<string, StoredOrder>) => W;

export interface IngestOptions<W extends OrderStateWrites> {
  /** Apply what may be applied at once (null: store only, e.g. before the first processing pass after a start). */
  decide: Decide<W> | null;
  /** Wait for stable storage (the inbox of acknowledged postbacks): true. */
  durable: boolean;
}

export interface Applied<W extends OrderStateWrites> {
  /** Inbox ids of the applied entries, in batch order. */
  ids: number[];
  entries: BatchEntry[];
  writes: W;
  /** Ids of the inserted order_events, in the order of `writes.events`. */
  eventIds: number[];
}

export interface IngestOutcome<W extends OrderStateWrites> {
  /** Per intake row: already stored (or earlier in the batch). */
  duplicates: boolean[];
  /** The intake rows applied in this unit of work, or null. */
  applied: Applied<W> | null;
  /** New intake rows left pending: an older entry of their order waits, applying failed, or no `decide`. */
  pending: number;
  /** Why applying failed (the intake was committed alone). */
  applyError?: unknown;
}

export interface Committed<T> {
  outcome: T;
  /** Resolves once the commit is on stable storage; at once for non-durable units of work. */
  durable: Promise<void>;
}

export interface ExternalOrderRow {
  orderId: string;
  tag: string | null;
  tradingsymbol: string | null;
  transactionType: string | null;
  firstSource: InboxSource;
  /** IST trading day, yyyy-mm-dd. */
  tradingDay: string;
}

export interface OutboxRow {
  id: number;
  orderId: string;
  type: string;
  source: InboxSource;
  payload: string;
}

/** Another writer changed an order or processed an inbox entry between read and write; the entries are retried. */
export class ConcurrentUpdateError extends Error {}

/**
 * The database refused a unit of work for a reason of its own — I/O, locks, disk full, read-only, a missing table —
 * not because of the entries in it: nothing is blamed on the entries (no attempt counted, nothing parked); the
 * caller retries the whole pass later. Errors that are about the data (constraints, a decision that threw) stay as
 * they are.
 */
export class StoreUnavailableError extends Error {
  constructor(readonly cause: unknown) {
    super(`database unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
