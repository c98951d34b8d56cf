import { isTerminal } from '../orders/order-state.machine';

/**
 * The life of a leg — one order a strategy decided to place — decided here and nowhere else. Pure: no I/O, no clock
 * (times come in as arguments). The gateway, leg recovery, cancel-open and leg groups all read legs through it.
 *
 *   intent ──claim──▶ placing ──accepted──▶ placed
 *     │                 │  ├──refused───▶ failed
 *     │                 │  └──unclear───▶ unknown ──order seen──────────────▶ placed
 *     │                 │                   ├──absent after the window, attempts left──▶ placing (same tag)
 *     │                 │                   └──absent after the window, none left──────▶ failed
 *     │                 └──claim expired (its sender died)──▶ unknown
 *     └──refused before it left (rails)──▶ failed
 *   any state without an order ──an order with its tag is seen──▶ placed
 *   (an order a GTT of ours fired is recorded as placed from the start: Kite placed it; linked by order id, src/gtt)
 *
 * A leg above the freeze limit is sent as slices (see slicing at the end): each slice moves through these states on
 * its own; the leg's state is derived from its slices'.
 *
 * - intent:  recorded, never sent. Safe to send (after claiming it).
 * - placing: claimed by one instance, which is sending it or about to. Its claim expiring means the sender died
 *            mid-call: the call may have reached Kite, so the leg becomes unknown.
 * - unknown: sent, and Kite's answer did not say whether it took the order (timeout, 5xx, no body, a 200 that is not
 *            JSON, a 400 "Order request timed out"). Only evidence settles it: an order carrying its tag, seen on any
 *            channel, or the tag's absence from an order book read after the settle window. Never sent again before.
 * - placed:  linked to an order at Kite (`orderId`).
 * - failed:  refused for good, or proven absent with no attempts left. Still linked if an order with its tag shows up.
 */
export const LEG_STATUSES = ['intent', 'placing', 'unknown', 'placed', 'failed'] as const;
export type LegStatus = (typeof LEG_STATUSES)[number];

/** What a strategy is told (`LegOutcome.status`): placed, refused for good, or not known yet. */
export type LegOutcomeStatus = 'placed' | 'failed' | 'pending';

export function outcomeOf(status: LegStatus): LegOutcomeStatus {
  return status === 'placed' ? 'placed' : status === 'failed' ? 'failed' : 'pending';
}

/** The moves a leg can make. Every write of a leg's status is conditional on one of these `from` states. */
const MOVES: Readonly<Record<LegStatus, readonly LegStatus[]>> = {
  intent: ['placing', 'placed', 'failed'],
  placing: ['placed', 'failed', 'unknown'],
  unknown: ['placed', 'placing', 'failed'],
  placed: [],
  failed: ['placed'],
};

export function canMove(from: LegStatus, to: LegStatus): boolean {
  return MOVES[from].includes(to);
}

/** The states a leg may be in for a move to `to` (the WHERE of the conditional update that makes the move). */
export function statesBefore(to: LegStatus): LegStatus[] {
  return LEG_STATUSES.filter((from) => canMove(from, to));
}

/** How a placement call ended, as far as the leg is concerned. */
export type PlacementAnswer = 'accepted' | 'refused' | 'rate-limited' | 'unclear';

/**
 * The leg's next state after one placement call. A 429 is Kite refusing the request at its door (nothing placed): the
 * same claim sends it again after a back-off, without asking the order book.
 */
export function afterAnswer(answer: PlacementAnswer): LegStatus {
  switch (answer) {
    case 'accepted':
      return 'placed';
    case 'refused':
      return 'failed';
    case 'rate-limited':
      return 'placing';
    case 'unclear':
      return 'unknown';
  }
}

/** A leg as the machine needs to see it. */
export interface LegFacts {
  status: LegStatus;
  orderId: string | null;
  attempts: number;
  /** When the last unclear answer came (or the dead sender's claim was found expired); null if never unclear. */
  unclearAt: Date | null;
  /** Set on a sliced leg and its slices (see slicing below); absent or null: an ordinary leg. */
  slicing?: SlicingPath | null;
}

/** Is an order carrying this leg's tag possible at Kite? Recovery looks for these; the kill switch cancels them. */
export function mayHaveOrderAtBroker(leg: LegFacts): boolean {
  if (leg.orderId) return true;
  if (leg.status === 'placing' || leg.status === 'unknown') return true;
  // Given up after an unclear answer: Kite documents no upper bound on how late the order may still show.
  return leg.status === 'failed' && leg.unclearAt !== null;
}

/** What one recovery pass does with a leg, given what it knows. */
export type SettleAction =
  | { kind: 'link' } // an order with its tag is in the book: link it
  | { kind: 'send' } // never sent and nobody holds it: claim it and send it
  | { kind: 'mark-unknown' } // its sender's claim ran out mid-call: the call's fate is unknown from now
  | { kind: 'wait'; until: Date } // unknown, inside the settle window: only evidence may settle it
  | { kind: 'resend' } // unknown, absent from a book read after the window, attempts left: claim and send again, same tag
  | { kind: 'give-up' } // unknown, absent after the window, no attempts left
  | { kind: 'leave' }; // settled, or someone else holds it

export interface SettleFacts {
  /** Another instance (or this one, elsewhere) holds an unexpired claim on the leg. */
  claimedElsewhere: boolean;
  /** The order book read for this pass shows an order carrying the leg's tag. */
  inBook: boolean;
  /** When that order book read started: only a read that started after the window proves absence. */
  bookReadAt: Date;
  settleWindowMs: number;
  maxAttempts: number;
}

export function settleDecision(leg: LegFacts, facts: SettleFacts): SettleAction {
  if (leg.status === 'placed') return { kind: 'leave' };
  if (facts.inBook) return { kind: 'link' };
  if (leg.status === 'failed') return { kind: 'leave' };
  if (facts.claimedElsewhere) return { kind: 'leave' };
  if (leg.status === 'intent') return { kind: 'send' };
  if (leg.status === 'placing' || leg.unclearAt === null) return { kind: 'mark-unknown' };
  const until = settleDeadline(leg.unclearAt, facts.settleWindowMs);
  if (facts.bookReadAt.getTime() < until.getTime()) return { kind: 'wait', until };
  return leg.attempts < facts.maxAttempts && mayResend(leg) ? { kind: 'resend' } : { kind: 'give-up' };
}

export function settleDeadline(unclearAt: Date, settleWindowMs: number): Date {
  return new Date(unclearAt.getTime() + settleWindowMs);
}

/** An order carrying a leg's tag was seen: what it means for the leg. */
export type SightingDecision = 'link' | 'same' | 'duplicate';

export function sightingDecision(leg: Pick<LegFacts, 'orderId'>, orderId: string): SightingDecision {
  if (leg.orderId === null) return 'link';
  return leg.orderId === orderId ? 'same' : 'duplicate';
}

// ---- the leg's order, read by the leg's users (groups, cancel-open, duplicates) ----------------------------------

/** A leg's order as groups see it: still working, filled for good, or ended without filling completely. */
export type OrderPhase = 'working' | 'filled' | 'ended';

export function orderPhase(status: string): OrderPhase {
  if (status === 'COMPLETE') return 'filled';
  return isTerminal(status) ? 'ended' : 'working';
}

/** Final, or already on its way out: every other status (Kite has more interim ones than it documents) can be cancelled. */
export function isCancellable(status: string): boolean {
  return !isTerminal(status) && status !== 'CANCEL PENDING';
}

// ---- slicing: a leg above the exchange's freeze limit ------------------------------------------------------------

/**
 * How a leg above the freeze limit is sent. `legwork`: each slice is its own order with its own tag, claimed, sent and
 * settled like any leg (exactly once per slice). `autoslice`: one request with Kite's `autoslice`, Kite places the
 * slices; they are recorded from its answer (`children`), or found by the `autoslice:<parent>` entry of their `tags`.
 */
export type SlicingPath = 'legwork' | 'autoslice';

/**
 * May a leg proven absent after an unclear answer be sent again? Not a slice of an autoslice request: it was never a
 * request of its own, and Kite's slices need not carry the request's tag (its mock shows a slice with `tag: null`), so
 * a book without the tag proves nothing. Such a slice is given up (and alerted on) instead, still linked if it shows.
 */
export function mayResend(leg: Pick<LegFacts, 'slicing'>): boolean {
  return leg.slicing !== 'autoslice';
}

/**
 * A sliced leg's state, from its slices' (the leg itself is never sent): being sent while any slice is still to go
 * out or in flight, unknown while any is unknown, placed when every slice is placed, else failed — some slices refused
 * or given up, the placed ones keep their orders (the leg's users read them slice by slice).
 */
export function slicedLegStatus(slices: readonly LegStatus[]): LegStatus {
  if (slices.length === 0) return 'placing';
  if (slices.some((s) => s === 'intent' || s === 'placing')) return 'placing';
  if (slices.includes('unknown')) return 'unknown';
  return slices.every((s) => s === 'placed') ? 'placed' : 'failed';
}
