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
