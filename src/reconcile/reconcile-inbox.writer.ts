import { Injectable } from '@nestjs/common';
import { InboxService } from '../inbox/inbox.service';
import type { KiteRow } from './reconcile.planner';

/**
 * Writes a reconcile plan into the inbox as `reconcile` entries, in plan order. The inbox owns its rows: it stores
 * them pending, in a few large transactions without their own fsync (every row is derived from Kite's order book,
 * which still holds it; the next reconcile writes again whatever a power cut took), with the same dedup-key rule as
 * every update (what the inbox holds, or repeats within the plan, is skipped).
 */
@Injectable()
export class ReconcileInboxWriter {
  constructor(private readonly inbox: InboxService) {}

  /** Returns how many rows were new (the rest were already in the inbox). */
  write(plan: KiteRow[]): Promise<number> {
    return this.inbox.storeReconciled(plan);
  }
}
