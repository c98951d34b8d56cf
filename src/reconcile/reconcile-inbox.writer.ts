import { Injectable } from '@nestjs/common';
import { InboxService } from '../inbox/inbox.service';
import type { OrderSnapshot } from '../events/order-snapshot';
import { advancesOrder, KiteRow } from './reconcile.planner';

/** What the plan was made from: the inbox as it stood when Kite's book was read, and the store it was compared with. */
export interface ReadPoint {
  /** The last inbox id before Kite's book was read. */
  lastInboxId: number;
  stored: ReadonlyMap<string, OrderSnapshot>;
}

export interface WriteResult {
  /** Rows new to the inbox. */
  written: number;
  /** Orders a live update (postback, stream) reached while the book was read, whose rows were left out as possibly older. */
  overtaken: number;
}

/**
 * Writes a reconcile plan into the inbox as `reconcile` entries, in plan order. The inbox owns its rows: it stores
 * them pending, in a few large transactions without their own fsync (every row is derived from Kite's order book,
 * which still holds it; the next reconcile writes again whatever a power cut took), with the same dedup-key rule as
 * every update (what the inbox holds, or repeats within the plan, is skipped).
 *
 * A live update that arrived while Kite's book was read may be newer than the book's row, and Kite's timestamps
 * (one-second resolution) cannot tell: for such orders only the rows that advance the order (see advancesOrder) are
 * written, decided in the same transaction as the insert.
 */
@Injectable()
export class ReconcileInboxWriter {
  constructor(private readonly inbox: InboxService) {}

  /** The last inbox id now: take it before reading Kite's book, and pass it to write() as part of the ReadPoint. */
  lastInboxId(): Promise<number> {
    return this.inbox.lastInboxId();
  }

  /** Writes the plan; without a read point every row is written (as for a plan made from a fresh read). */
  write(plan: KiteRow[], read?: ReadPoint): Promise<WriteResult> {
    return this.inbox.storeReconciled(
      plan.map((row) => ({ row, advances: read ? advancesOrder(row, read.stored.get(String(row.order_id))) : true })),
      read?.lastInboxId,
    );
  }
}
