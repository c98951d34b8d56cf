import {
  afterAnswer,
  canMove,
  isCancellable,
  LEG_STATUSES,
  LegFacts,
  mayResend,
  mayHaveOrderAtBroker,
  orderPhase,
  outcomeOf,
  settleDecision,
  SettleFacts,
  sightingDecision,
  slicedLegStatus,
  statesBefore,
} from './leg-state.machine';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 25, 4, 0, seconds));
const leg = (overrides: Partial<LegFacts> = {}): LegFacts => ({ status: 'unknown', orderId: null, attempts: 1, unclearAt: at(0), ...overrides });
const facts = (overrides: Partial<SettleFacts> = {}): SettleFacts => ({
  claimedElsewhere: false,
  inBook: false,
  bookReadAt: at(0),
  settleWindowMs: 120_000,
  maxAttempts: 3,
  ...overrides,
});

describe('leg state machine', () => {
  describe('moves', () => {
    it('a placed leg never moves again; a failed one only to placed (its order showed up after all)', () => {
      for (const to of LEG_STATUSES) expect(canMove('placed', to)).toBe(false);
      expect(LEG_STATUSES.filter((to) => canMove('failed', to))).toEqual(['placed']);
    });

    it('an unknown leg is sent again only through placing (a claim), never straight from its unclear answer', () => {
      expect(statesBefore('placing')).toEqual(['intent', 'unknown']);
      expect(canMove('placing', 'placing')).toBe(false);
    });

    it('only a call in flight can become unknown', () => {
      expect(statesBefore('unknown')).toEqual(['placing']);
    });

    it('evidence links every leg that has no order yet, whatever its state', () => {
      expect(statesBefore('placed')).toEqual(['intent', 'placing', 'unknown', 'failed']);
    });

    it('a leg fails from intent (the rails refused it), placing (Kite refused it) or unknown (proven absent, no attempts left); never once placed', () => {
      expect(statesBefore('failed')).toEqual(['intent', 'placing', 'unknown']);
    });

    it('answers: accepted → placed, refused → failed, unclear → unknown, 429 → still placing (sent again, same claim)', () => {
      expect(['accepted', 'refused', 'unclear', 'rate-limited'].map((a) => afterAnswer(a as Parameters<typeof afterAnswer>[0]))).toEqual([
        'placed',
        'failed',
        'unknown',
        'placing',
      ]);
    });

    it('what a strategy is told', () => {
      expect(LEG_STATUSES.map(outcomeOf)).toEqual(['pending', 'pending', 'pending', 'placed', 'failed']);
    });
  });

  describe('settling a leg in a recovery pass', () => {
    it('an order with its tag in the book links it, in any state but placed', () => {
      for (const status of ['intent', 'placing', 'unknown', 'failed'] as const) {
        expect(settleDecision(leg({ status }), facts({ inBook: true }))).toEqual({ kind: 'link' });
      }
      expect(settleDecision(leg({ status: 'placed', orderId: '1' }), facts({ inBook: true }))).toEqual({ kind: 'leave' });
    });

    it('a leg claimed by a live sender is left alone, whatever its state', () => {
      for (const status of ['intent', 'placing', 'unknown'] as const) {
        expect(settleDecision(leg({ status }), facts({ claimedElsewhere: true }))).toEqual({ kind: 'leave' });
      }
    });

    it('never sent: sent', () => {
      expect(settleDecision(leg({ status: 'intent', attempts: 0, unclearAt: null }), facts())).toEqual({ kind: 'send' });
    });

    it("placing with its sender's claim run out: unknown from now (the call may have reached Kite)", () => {
      expect(settleDecision(leg({ status: 'placing', unclearAt: null }), facts())).toEqual({ kind: 'mark-unknown' });
    });

    it("a resend whose sender died mid-call is unknown again, with a fresh window: not sent a third time on the first unclear answer's old clock", () => {
      // Unclear at 0 s, proven absent after the window and claimed again to resend (placing keeps the old unclearAt);
      // that sender died with the call in flight. The old window is long over, but the resend may have reached Kite.
      const resending = leg({ status: 'placing', attempts: 2, unclearAt: at(0) });
      expect(settleDecision(resending, facts({ bookReadAt: at(300) }))).toEqual({ kind: 'mark-unknown' });
    });

    it('an unknown leg from an older version (no unclear time kept) is stamped now, so its settle window starts instead of a resend', () => {
      expect(settleDecision(leg({ status: 'unknown', unclearAt: null }), facts({ bookReadAt: at(300) }))).toEqual({ kind: 'mark-unknown' });
    });

    it('unknown: waits for the whole settle window, measured from the unclear answer to the start of the book read', () => {
      expect(settleDecision(leg(), facts({ bookReadAt: at(119) }))).toEqual({ kind: 'wait', until: at(120) });
      expect(settleDecision(leg(), facts({ bookReadAt: at(120) }))).toEqual({ kind: 'resend' });
    });

    it('unknown and proven absent: sent again while attempts are left, then given up', () => {
      expect(settleDecision(leg({ attempts: 2 }), facts({ bookReadAt: at(200) }))).toEqual({ kind: 'resend' });
      expect(settleDecision(leg({ attempts: 3 }), facts({ bookReadAt: at(200) }))).toEqual({ kind: 'give-up' });
    });

    it('failed and absent: left (it stays watched, see mayHaveOrderAtBroker)', () => {
      expect(settleDecision(leg({ status: 'failed' }), facts({ bookReadAt: at(500) }))).toEqual({ kind: 'leave' });
    });
  });

  it('which legs may have an order at Kite', () => {
    expect(mayHaveOrderAtBroker(leg({ status: 'placed', orderId: '1' }))).toBe(true);
    expect(mayHaveOrderAtBroker(leg({ status: 'placing', unclearAt: null }))).toBe(true);
    expect(mayHaveOrderAtBroker(leg({ status: 'unknown' }))).toBe(true);
    expect(mayHaveOrderAtBroker(leg({ status: 'failed', unclearAt: at(0) }))).toBe(true); // given up after an unclear answer
    expect(mayHaveOrderAtBroker(leg({ status: 'failed', unclearAt: null }))).toBe(false); // refused: Kite said no
    expect(mayHaveOrderAtBroker(leg({ status: 'intent', unclearAt: null, attempts: 0 }))).toBe(false);
  });

  it('an order seen with a leg tag: linked, already known, or a duplicate', () => {
    expect(sightingDecision({ orderId: null }, 'A')).toBe('link');
    expect(sightingDecision({ orderId: 'A' }, 'A')).toBe('same');
    expect(sightingDecision({ orderId: 'A' }, 'B')).toBe('duplicate');
  });

  it("a leg's order: working, filled or ended; cancellable unless final or already being cancelled", () => {
    expect(['OPEN', 'TRIGGER PENDING', 'PUT ORDER REQ RECEIVED', 'COMPLETE', 'CANCELLED', 'REJECTED'].map(orderPhase)).toEqual([
      'working',
      'working',
      'working',
      'filled',
      'ended',
      'ended',
    ]);
    expect(['OPEN', 'AMO REQ RECEIVED', 'CANCEL PENDING', 'COMPLETE', 'CANCELLED', 'REJECTED'].map(isCancellable)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  describe('slicing: a leg above the freeze limit', () => {
    it("a sliced leg's state comes from its slices", () => {
      expect(slicedLegStatus(['placed', 'placed', 'placed'])).toBe('placed');
      expect(slicedLegStatus(['placed', 'intent'])).toBe('placing'); // the rest still to go out
      expect(slicedLegStatus(['placed', 'placing'])).toBe('placing');
      expect(slicedLegStatus(['placed', 'unknown', 'failed'])).toBe('unknown'); // not settled while one is unknown
      expect(slicedLegStatus(['placed', 'failed'])).toBe('failed'); // part of it refused: the placed slice keeps its order
      expect(slicedLegStatus(['failed', 'failed'])).toBe('failed');
      expect(slicedLegStatus([])).toBe('placing'); // recorded, slices not yet written
    });

    it('a legwork slice proven absent is sent again like any leg; an autoslice slice never is: it is given up', () => {
      const window = facts({ bookReadAt: at(200) });
      expect(settleDecision(leg({ slicing: 'legwork' }), window)).toEqual({ kind: 'resend' });
      expect(settleDecision(leg({ slicing: 'autoslice' }), window)).toEqual({ kind: 'give-up' });
      expect(settleDecision(leg({ slicing: 'autoslice' }), facts({ bookReadAt: at(100) }))).toEqual({ kind: 'wait', until: at(120) });
      expect(settleDecision(leg({ slicing: 'autoslice' }), facts({ bookReadAt: at(200), inBook: true }))).toEqual({ kind: 'link' });
      expect([mayResend({ slicing: null }), mayResend({ slicing: 'legwork' }), mayResend({ slicing: 'autoslice' })]).toEqual([true, true, false]);
    });
  });
});
