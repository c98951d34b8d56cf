import { Injectable, Logger } from '@nestjs/common';
import { LegLookup, LegOwner } from '../broker/leg-lookup';
import { isLegTag } from '../broker/leg-tag';
import { errorText } from '../common/error-text';
import type { OrderSnapshot } from '../events/order-snapshot';
import { GttService } from './gtt.service';

/**
 * Who an order belongs to when it carries no leg tag: the order a GTT of ours fired (Kite places it without a tag, and
 * kiteconnect could not send one anyway). Asked by the strategy host before it delivers an order's event (the `own`
 * filter) and by the external-orders tracker, on every channel the order shows up on (postback, order stream,
 * reconciliation). When the order is not linked yet but one of our GTTs on its instrument, side and quantity could
 * have fired it, Kite's GTT list is read first (one pass, shared by everyone asking), so the first event of a fired
 * order already reaches its strategy.
 */
@Injectable()
export class GttOrderLinker {
  private readonly logger = new Logger('Gtts');
  /** Look-ups under way per order: the strategy host and the tracker ask about the same event at once. */
  private readonly pending = new Map<string, Promise<LegOwner | null>>();

  constructor(
    private readonly legs: LegLookup,
    private readonly gtts: GttService,
  ) {}

  /** The leg of an order without a leg tag (a GTT's fired order), or null. Never throws. */
  legOf(order: Pick<OrderSnapshot, 'orderId' | 'tag' | 'exchange' | 'tradingsymbol' | 'transactionType' | 'quantity'>): Promise<LegOwner | null> {
    if (isLegTag(order.tag)) return Promise.resolve(null);
    let lookup = this.pending.get(order.orderId);
    if (!lookup) {
      lookup = this.lookUp(order).finally(() => this.pending.delete(order.orderId));
      this.pending.set(order.orderId, lookup);
    }
    return lookup;
  }

  private async lookUp(
    order: Pick<OrderSnapshot, 'orderId' | 'tag' | 'exchange' | 'tradingsymbol' | 'transactionType' | 'quantity'>,
  ): Promise<LegOwner | null> {
    try {
      const linked = await this.legs.byOrderId(order.orderId);
      // Kite places a GTT's order without a tag: a tagged order is someone's entry or another tool's, never a GTT's.
      if (linked || order.tag) return linked;
      if (!(await this.gtts.couldHaveFired(order))) return null;
      await this.gtts.syncSafely();
      return await this.legs.byOrderId(order.orderId);
    } catch (error) {
      this.logger.error(`order ${order.orderId}: could not tell whether a GTT fired it: ${errorText(error)}`);
      return null;
    }
  }
}
