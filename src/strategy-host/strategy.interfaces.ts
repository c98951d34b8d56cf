import type { LoggerService } from '@nestjs/common';
import type { LegGroupStatus } from '../broker/entities/leg-group.entity';
import type { GroupLeg } from '../broker/leg-group.service';
import type { KiteOrderRow, KiteTradeRow, LegOrder, LegOutcome, Variety } from '../broker/leg-order';
import type { GttSpec, GttStatus } from '../gtt/gtt-state';
import type { GttOutcome, GttView } from '../gtt/gtt.service';
import type { OrderEventSource } from '../events/order-snapshot';
import type { InstrumentLookup } from '../instruments/instrument.types';
import type { Alert } from '../notifier/alert';

type Match = string | RegExp | Array<string | RegExp>;

/** Which orders a handler wants. All given conditions must hold. */
export interface OrderEventFilter {
  /** The order's Kite tag, as a user set it on an entry order (e.g. 'twoleg'). */
  tag?: Match;
  /** Only orders that are legs this strategy placed. */
  own?: boolean;
  /** Only legs with this leg name (implies own). */
  legName?: Match;
  tradingsymbol?: Match;
  exchange?: Match;
  transactionType?: 'BUY' | 'SELL';
  /** Only events from these sources (postback, websocket, reconcile, replay). Default: all. */
  sources?: OrderEventSource[];
  /** Also receive orders that carry no tag of yours and are no leg of yours (manual or other tools' orders). */
  external?: boolean;
}

/** The leg row behind an order, when the order was placed by a strategy through the gateway. */
export interface LegInfo {
  strategy: string;
  chainId: string;
  parentOrderId: string;
  legName: string;
  tag: string;
}

export interface PlaceLegOptions {
  /** Default: the event's order id. */
  parentOrderId?: string;
  /** Default: the parent's chain (or the parent order id). */
  chainId?: string;
}

/** A group as placeGroup returns it (the stored group, without its internals). */
export interface PlacedGroup {
  id: number;
  strategy: string;
  parentOrderId: string;
  name: string;
  direction: 'entry' | 'exit';
  /** waiting: first wave placed; done: second wave placed; unwinding / unwound: a first-wave leg failed. */
  status: LegGroupStatus;
  reason: string | null;
}

/** Reading and changing orders at Kite (modify/cancel throw KiteCallError on failure, or PlacementRefusedError from the rails). */
export interface StrategyOrders {
  modifyOrder(variety: Variety, orderId: string, params: Record<string, unknown>): Promise<string>;
  cancelOrder(variety: Variety, orderId: string): Promise<string>;
  getOrders(): Promise<KiteOrderRow[]>;
  getOrderHistory(orderId: string): Promise<KiteOrderRow[]>;
  getTrades(): Promise<KiteTradeRow[]>;
  getOrderTrades(orderId: string): Promise<KiteTradeRow[]>;
}

/** Alerts to humans (webhook, Telegram); never waits for delivery. */
export interface StrategyNotifier {
  notify(alert: Alert): void;
}

/** What a strategy handler gets besides the event. Settings are read once, in the constructor (StrategyEnvironment). */
export interface StrategyContext {
  readonly strategy: string;
  /** When the event's order is a leg (of any strategy): which one. */
  readonly leg: LegInfo | null;
  /**
   * Place a leg exactly once: the leg is keyed by (this strategy, parent order, legName), so calling this again for the
   * same event — after a redelivery or a restart — sends nothing new. Resolves with the outcome; never throws for
   * Kite's refusals (they come back as status 'failed' and a leg.failed event).
   */
  placeLeg(legName: string, order: LegOrder, options?: PlaceLegOptions): Promise<LegOutcome>;
  /**
   * Place legs as one hedge-aware unit: protective legs (default: the BUYs) first on entry and last on exit; the other
   * wave only once the first is filled; if a first-wave leg is rejected or not filled within `fillTimeoutMs`, what
   * filled is reversed and an alert goes out. Exactly-once per (strategy, parent order, name), like placeLeg.
   */
  placeGroup(name: string, legs: GroupLeg[], options?: PlaceLegOptions & { direction?: 'entry' | 'exit'; fillTimeoutMs?: number }): Promise<PlacedGroup>;
  /**
   * Place a GTT at Kite exactly once per (this strategy, parent order, name): a single trigger (`{ trigger, order }`) or
   * an OCO of `stop` and `target`. Kite keeps it even while legwork is down; the order it fires joins the parent's chain
   * as leg `<name>:stop` / `<name>:target` / `<name>:trigger` and its events reach you as your own (`own`). Throws
   * GttSpecError for a malformed spec; Kite's refusals resolve as status 'failed' (and alert).
   */
  placeGtt(name: string, spec: GttSpec, options?: PlaceLegOptions): Promise<GttOutcome>;
  /** Replace a live GTT's triggers and orders (throws KiteCallError, or PlacementRefusedError with the kill switch tripped). */
  modifyGtt(name: string, spec: GttSpec, options?: Pick<PlaceLegOptions, 'parentOrderId'>): Promise<GttOutcome>;
  /** Delete a GTT (always allowed). Resolves null if there is no such GTT. */
  cancelGtt(name: string, options?: Pick<PlaceLegOptions, 'parentOrderId'>): Promise<GttOutcome | null>;
  /** This strategy's GTTs, newest first. */
  gtts(filter?: { status?: GttStatus | GttStatus[]; tradingsymbol?: string; exchange?: string; parentOrderId?: string }): Promise<GttView[]>;
  /** Modify, cancel and read orders. */
  readonly orders: StrategyOrders;
  readonly notifier: StrategyNotifier;
  /** Kite's instrument list of the day, read-only: by exchange + tradingsymbol or token, options, listed strikes, lot and tick sizes. */
  readonly instruments: InstrumentLookup;
  readonly logger: LoggerService;
}
