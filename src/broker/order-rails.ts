import { Injectable } from '@nestjs/common';
import type { Leg } from './entities/leg.entity';

/** An order as Kite has it now, for judging whether a modification adds risk. */
export interface CurrentOrder {
  quantity: number;
  orderType: string;
  price: number;
  triggerPrice: number;
  transactionType: string;
  status: string;
  /** The order's instrument (lot and tick checks of a modification). */
  exchange?: string;
  tradingsymbol?: string;
}

/** Checks every order passes before it leaves for Kite; the safety rails (rate limits, kill switch, …) implement it. */
export interface OrderRails {
  /** Throw PlacementRefusedError to refuse; may wait (e.g. to queue under a rate limit). `leg.reducesRisk` marks legwork's own reversals. */
  beforePlace(leg: Leg, params: Record<string, unknown>): Promise<void>;
  /** `current` reads the order from Kite, for rails that need to compare (only called when needed). */
  beforeModify(orderId: string, params: Record<string, unknown>, current?: () => Promise<CurrentOrder | null>): Promise<void>;
  /** May wait (cancellations are order requests under Kite's rate limit too). */
  beforeCancel?(orderId: string): Promise<void>;
  /** Before a GTT is placed or modified (a GTT is a future order). Throw PlacementRefusedError to refuse. Deleting one always goes out. */
  beforeGtt?(action: 'place' | 'modify', strategy: string): Promise<void>;
}

export const ORDER_RAILS = Symbol('ORDER_RAILS');

/**
 * Where the rails plug in. The broker declares the checks (OrderRails) and injects this slot as ORDER_RAILS; the
 * rails module, above the broker, installs its implementation when it starts (LegworkRails.onModuleInit), so the
 * broker imports nothing of the rails. Until then every order is refused: a gateway without rails must not trade.
 */
@Injectable()
export class OrderRailsSlot implements OrderRails {
  private rails: OrderRails | null = null;

  install(rails: OrderRails): void {
    if (this.rails && this.rails !== rails) throw new Error('order rails are installed already');
    this.rails = rails;
  }

  async beforePlace(leg: Leg, params: Record<string, unknown>): Promise<void> {
    await this.installed().beforePlace(leg, params);
  }

  async beforeModify(orderId: string, params: Record<string, unknown>, current?: () => Promise<CurrentOrder | null>): Promise<void> {
    await this.installed().beforeModify(orderId, params, current);
  }

  async beforeCancel(orderId: string): Promise<void> {
    await this.installed().beforeCancel?.(orderId);
  }

  async beforeGtt(action: 'place' | 'modify', strategy: string): Promise<void> {
    await this.installed().beforeGtt?.(action, strategy);
  }

  private installed(): OrderRails {
    if (!this.rails) throw new PlacementRefusedError('no_rails', 'no order rails are installed (the rails module is not part of this engine): nothing is sent');
    return this.rails;
  }
}

/** Refusal decided by legwork itself, before Kite saw the order. `code` ends up as the leg's errorType. */
export class PlacementRefusedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PlacementRefusedError';
  }
}
