import type { KiteClient } from '../kite-session/kite-client.provider';
import type { KiteErrorInfo } from './kite-error';
import type { LegOutcomeStatus } from './leg-state.machine';

/*
 * The plain types of a leg: what a strategy asks the gateway to send (LegOrder) and what it gets back (LegOutcome).
 * No classes, no I/O: the SDK hands them to strategies as they are.
 */

export type { LegOutcomeStatus };

export type Variety = 'regular' | 'amo' | 'co' | 'iceberg' | 'auction';

/** The order a leg sends to Kite: kiteconnect's placeOrder parameters, minus the tag (the gateway owns it). */
export interface LegOrder {
  variety?: Variety;
  exchange: string;
  tradingsymbol: string;
  transaction_type: 'BUY' | 'SELL';
  quantity: number;
  product: string;
  order_type: 'MARKET' | 'LIMIT' | 'SL' | 'SL-M';
  price?: number;
  trigger_price?: number;
  validity?: 'DAY' | 'IOC' | 'TTL';
  validity_ttl?: number;
  disclosed_quantity?: number;
  /** Percent (0–100) or -1 for Kite's automatic protection; Kite refuses MARKET/SL-M orders without it. */
  market_protection?: number;
}

export interface PlaceLegRequest {
  strategy: string;
  /** The order whose event caused this leg ('' for a leg with no parent). Part of the leg's unique key. */
  parentOrderId: string;
  /** Unique among the legs one strategy places for one parent order, e.g. 'exit' or 'hedge-3'. */
  legName: string;
  order: LegOrder;
  /** Groups the chain; default: the parent's chain if the parent is itself a leg, else the parent order id. */
  chainId?: string;
  /** The order_events id that triggered the leg, for the trade log. */
  triggerEventId?: number;
  /** Set by the leg-group service only: the group the leg belongs to. */
  groupId?: number;
}

export interface LegOutcome {
  /** placed: Kite has it; failed: refused for good; pending: not known yet (unknown: settled by evidence later). */
  status: LegOutcomeStatus;
  legId: number;
  tag: string;
  orderId: string | null;
  /** True when this leg had been requested before (redelivered event, restart): nothing new was sent to Kite. */
  duplicate: boolean;
  error?: KiteErrorInfo;
  /**
   * A leg above the exchange's freeze limit is sent as slices: each one's outcome, first to last (`orderId` above is
   * then null: the leg has one order per slice). `status` above is the leg's: placed when every slice is.
   */
  slices?: SliceOutcome[];
}

export interface SliceOutcome {
  slice: number;
  quantity: number;
  status: LegOutcomeStatus;
  tag: string;
  orderId: string | null;
  error?: { errorType: string; message: string };
}

/** An order as Kite's order book (getOrders) and order history list it. */
export type KiteOrderRow = Awaited<ReturnType<KiteClient['getOrders']>>[number];

/** A trade as Kite's trade book (getTrades, getOrderTrades) lists it. */
export type KiteTradeRow = Awaited<ReturnType<KiteClient['getTrades']>>[number];
