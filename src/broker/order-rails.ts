import type { Leg } from './entities/leg.entity';

/** Checks every order passes before it leaves for Kite; the safety rails (rate limits, kill switch, …) implement it. */
export interface OrderRails {
  /** Throw PlacementRefusedError to refuse; may wait (e.g. to queue under a rate limit). */
  beforePlace(leg: Leg, params: Record<string, unknown>): Promise<void>;
  beforeModify(orderId: string, params: Record<string, unknown>): Promise<void>;
  /** May wait (cancellations are order requests under Kite's rate limit too). */
  beforeCancel?(orderId: string): Promise<void>;
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
