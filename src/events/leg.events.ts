/** Events about legs (orders a strategy asked the gateway to place). */
export const LegEventName = {
  /** Kite returned an order id for the leg (or the OMS showed it after a crash). */
  Placed: 'leg.placed',
  /** Kite refused the leg for good (input, margin, order, token errors), or placement was refused before it left. */
  Failed: 'leg.failed',
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
}

export class LegPlacedEvent {
  readonly name = LegEventName.Placed;
  constructor(
    readonly leg: LegRef,
    readonly orderId: string,
    /** 'placement': Kite answered; 'oms-lookup': found by tag after an unclear answer or a restart. */
    readonly via: 'placement' | 'oms-lookup',
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
