import { OrderPacer } from './rate-limits';

/**
 * The pacer's decisions on a fake clock (rate-limiter-flexible's timers and Date.now are Jest's): which order goes,
 * in what order, and how many it lets go in any rolling second or minute. No real time passes, so a slow machine
 * changes nothing.
 */
describe('OrderPacer: Kite per-second and per-minute limits as a FIFO queue', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-25T04:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  /** Submits `count` takes at once; records, as each is let go, its number and the pacer's own usage at that moment. */
  function burst(pacer: OrderPacer, count: number) {
    const grants: { n: number; at: number; lastSecond: number; lastMinute: number; queued: number }[] = [];
    const done = Promise.all(
      Array.from({ length: count }, (_, n) =>
        pacer.take().then(() => {
          const usage = pacer.usage();
          grants.push({ n, at: Date.now(), lastSecond: usage.perSecond.used, lastMinute: usage.perMinute.used, queued: usage.queued });
        }),
      ),
    );
    return { grants, done };
  }

  it('lets a burst of 30 go in arrival order, every one of them, eleven consecutive ones at least 1 s + the 250 ms default margin apart', async () => {
    const pacer = new OrderPacer({ perSecond: 10, perMinute: 400 });
    const { grants, done } = burst(pacer, 30);
    await jest.advanceTimersByTimeAsync(0);
    expect(grants.map((g) => g.n)).toEqual([0]); // the first goes at once, the rest wait their turn
    expect(pacer.usage().queued).toBe(29);

    await jest.advanceTimersByTimeAsync(10_000);
    await done;
    expect(grants.map((g) => g.n)).toEqual([...Array(30).keys()]); // FIFO, none refused
    // One every (1000 + 250) / 10 ms: even if arrivals at Kite bunch by the margin, no second there holds 11.
    for (let i = 0; i + 10 < grants.length; i++) expect(grants[i + 10].at - grants[i].at).toBeGreaterThanOrEqual(1250);
    // The pacer's own count of the last second as each order left: 8 of them (0, 125, …, 875 ms), never more.
    expect(Math.max(...grants.map((g) => g.lastSecond))).toBe(8);
    expect(grants.map((g) => g.queued)).toEqual([...Array(30).keys()].map((n) => 29 - n));
    expect(pacer.usage()).toEqual({ perSecond: { limit: 10, used: expect.any(Number) }, perMinute: { limit: 400, used: 30 }, queued: 0 });
  });

  it('spaces orders by (1 s + the configured margin) / the per-second limit', async () => {
    // No margin: exactly the limit, ten in a rolling second, the eleventh one second after the first.
    const exact = new OrderPacer({ perSecond: 10, perMinute: 400, marginMs: 0 });
    const tight = burst(exact, 12);
    await jest.advanceTimersByTimeAsync(5_000);
    await tight.done;
    expect(tight.grants.map((g) => g.at - tight.grants[0].at)).toEqual([...Array(12).keys()].map((n) => n * 100));
    expect(Math.max(...tight.grants.map((g) => g.lastSecond))).toBe(10);

    // A wider margin at a lower limit: one every (1000 + 500) / 3 = 500 ms.
    const wide = new OrderPacer({ perSecond: 3, perMinute: 400, marginMs: 500 });
    const slow = burst(wide, 4);
    await jest.advanceTimersByTimeAsync(5_000);
    await slow.done;
    expect(slow.grants.map((g) => g.at - slow.grants[0].at)).toEqual([0, 500, 1000, 1500]);
  });

  it('holds orders past the per-minute limit until the minute is over, still in order', async () => {
    const pacer = new OrderPacer({ perSecond: 10, perMinute: 20 });
    const { grants, done } = burst(pacer, 25);
    await jest.advanceTimersByTimeAsync(59_000);
    expect(grants).toHaveLength(20);
    expect(Math.max(...grants.map((g) => g.lastMinute))).toBe(20);
    expect(pacer.usage()).toMatchObject({ perMinute: { limit: 20, used: 20 }, queued: 5 });

    await jest.advanceTimersByTimeAsync(3_000);
    await done;
    expect(grants.map((g) => g.n)).toEqual([...Array(25).keys()]);
    // The limiter's minute is fixed and starts with its first order: the five left once it was over.
    expect(grants[20].at - grants[0].at).toBeGreaterThanOrEqual(60_000);
  });

  it('reports usage over rolling windows: the last second and the last minute, forgetting older sends', async () => {
    const pacer = new OrderPacer({ perSecond: 10, perMinute: 400 });
    expect(pacer.usage()).toEqual({ perSecond: { limit: 10, used: 0 }, perMinute: { limit: 400, used: 0 }, queued: 0 });
    await pacer.take();
    await jest.advanceTimersByTimeAsync(500);
    await pacer.take();
    expect(pacer.usage()).toMatchObject({ perSecond: { used: 2 }, perMinute: { used: 2 } });
    await jest.advanceTimersByTimeAsync(600); // the first is now 1.1 s old
    expect(pacer.usage()).toMatchObject({ perSecond: { used: 1 }, perMinute: { used: 2 } });
    await jest.advanceTimersByTimeAsync(400); // the second is exactly 1 s old: out of the last second
    expect(pacer.usage()).toMatchObject({ perSecond: { used: 0 }, perMinute: { used: 2 } });
    await jest.advanceTimersByTimeAsync(58_500); // the first is exactly 60 s old: out of the last minute
    expect(pacer.usage()).toMatchObject({ perMinute: { used: 1 } });
    await jest.advanceTimersByTimeAsync(500);
    expect(pacer.usage()).toMatchObject({ perMinute: { used: 0 } });
  });

  it('counts an order as queued while it waits', async () => {
    const pacer = new OrderPacer({ perSecond: 10, perMinute: 400 });
    await pacer.take();
    const second = pacer.take();
    expect(pacer.waiting).toBe(1);
    await jest.advanceTimersByTimeAsync(200);
    await second;
    expect(pacer.waiting).toBe(0);
  });
});
