/** Events about legs (orders a strategy asked the gateway to place). */
export const LegEventName = {
  /** Kite returned an order id for the leg (or the OMS showed it after a crash). */
  Placed: 'leg.placed',
  /** Kite refused the leg for good (input, margin, order, token errors), or placement was refused before it left. */
  Failed: 'leg.failed',
  /** Kite's answer was unclear: the leg waits for evidence (its order seen) or for its settle window to pass. */
  Unknown: 'leg.unknown',
} as const;
export type LegEventName = (typeof LegEventName)[keyof typeof LegEventName];

/** What every leg event carries: which leg of which chain. */
export interface LegRef {
  legId: number;
  strategy: string;
  chainId: string;
  parentOrderId: string;
  legName: string;
  tag: string;
  /** 0: the whole leg; 1…n: one slice of a leg sent as slices (above the freeze limit), `tag` being the slice's. */
  slice: number;
}

export class LegPlacedEvent {
  readonly name = LegEventName.Placed;
  constructor(
    readonly leg: LegRef,
    readonly orderId: string,
    /**
     * 'placement': Kite answered with the order id; 'oms-lookup': found by tag in the order book (after an unclear
     * answer, or a restart); 'order-update': an update of the order (postback, WebSocket, reconciliation) carried its tag;
     * 'gtt-trigger': a GTT legwork placed fired it at Kite (linked by the order id in the GTT's result, not by tag).
     */
    readonly via: LegSighting,
  ) {}
}

/** Where an order carrying a leg's tag was seen. */
export type LegSighting = 'placement' | 'oms-lookup' | 'order-update' | 'gtt-trigger';

export class LegUnknownEvent {
  readonly name = LegEventName.Unknown;
  constructor(
    readonly leg: LegRef,
    /** The error Kite's client reported (NetworkException, DataException, …) and its message. */
    readonly errorType: string,
    readonly message: string,
    /** Without evidence before then, the order book decides (absent: sent again with the same tag, or given up). */
    readonly settleBy: Date,
  ) {}
}

export class LegFailedEvent {
  readonly name = LegEventName.Failed;
  constructor(
    readonly leg: LegRef,
    /** Kite's error_type (InputException, MarginException, …) or legwork's own reason code. */
    readonly errorType: string,
    readonly message: string,
  ) {}
}
