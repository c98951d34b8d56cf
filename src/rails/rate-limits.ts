import { RateLimiterMemory, RateLimiterQueue } from 'rate-limiter-flexible';
import { DEFAULT_PACING_MARGIN_MS } from '../config/legwork.config';

export interface RateWindowUsage {
  limit: number;
  /** Order actions that left in the last window (rolling: the last 1 s / the last 60 s). */
  used: number;
}

export interface PacerUsage {
  perSecond: RateWindowUsage;
  perMinute: RateWindowUsage;
  /** Order actions waiting their turn right now. */
  queued: number;
}

/**
 * Kite's per-second and per-minute order limits as two FIFO queues (rate-limiter-flexible's RateLimiterQueue): an
 * order first waits its turn for the minute, then for the second, so bursts leave at the allowed pace in arrival order
 * and nothing is refused for speed alone. One instance per engine, shared by placements, modifications and
 * cancellations of every strategy. In memory: these windows are seconds long (see README for several instances).
 *
 * The limiting is the library's; this class only keeps the send times of the last minute to report usage.
 */
export class OrderPacer {
  private readonly perSecond: RateLimiterMemory;
  private readonly perMinute: RateLimiterMemory;
  private readonly secondQueue: RateLimiterQueue;
  private readonly minuteQueue: RateLimiterQueue;
  private readonly sent: number[] = [];
  private lastTurn: Promise<void> = Promise.resolve();
  waiting = 0;

  constructor(readonly limits: { perSecond: number; perMinute: number; marginMs?: number }) {
    // One order per (1 s + margin)/N rather than N per fixed second: fixed windows would let 2N through across a
    // window boundary, and Kite counts any second. The margin is for everything between an order's turn here and its
    // arrival at Kite's door (the count write, the network, proxies): arrivals can bunch by that much, so eleven
    // consecutive orders must leave more than one second plus that apart.
    const marginMs = limits.marginMs ?? DEFAULT_PACING_MARGIN_MS;
    this.perSecond = new RateLimiterMemory({ points: 1, duration: (1000 + marginMs) / limits.perSecond / 1000 });
    this.perMinute = new RateLimiterMemory({ points: limits.perMinute, duration: 60 });
    // Only one order at a time waits in these (see take), so their own queue size never matters.
    this.minuteQueue = new RateLimiterQueue(this.perMinute);
    this.secondQueue = new RateLimiterQueue(this.perSecond);
  }

  /** Resolves when one more order action may leave now. */
  async take(): Promise<void> {
    this.waiting++;
    // One order at a time at the limiters: each of the library's queues is FIFO, but the orders the minute queue
    // releases together when a new minute starts race into the second queue and can swap places.
    const turn = this.lastTurn.then(async () => {
      await this.minuteQueue.removeTokens(1);
      await this.secondQueue.removeTokens(1);
    });
    this.lastTurn = turn.catch(() => undefined);
    try {
      await turn;
    } finally {
      this.waiting--;
    }
    const now = Date.now();
    this.sent.push(now);
    this.forgetBefore(now - 60_000);
  }

  usage(now = Date.now()): PacerUsage {
    this.forgetBefore(now - 60_000);
    const lastSecond = this.sent.filter((t) => t > now - 1_000).length;
    return {
      perSecond: { limit: this.limits.perSecond, used: lastSecond },
      perMinute: { limit: this.limits.perMinute, used: this.sent.length },
      queued: this.waiting,
    };
  }

  private forgetBefore(cutoff: number): void {
    let drop = 0;
    while (drop < this.sent.length && this.sent[drop] <= cutoff) drop++;
    if (drop > 0) this.sent.splice(0, drop);
  }
}
