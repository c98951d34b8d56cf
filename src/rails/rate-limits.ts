import { RateLimiterMemory, RateLimiterQueue } from 'rate-limiter-flexible';

export interface RateWindowUsage {
  limit: number;
  /** Tokens left in the current window. */
  remaining: number;
}

/**
 * Kite's per-second and per-minute order limits as two FIFO queues (rate-limiter-flexible's RateLimiterQueue): an
 * order first waits its turn for the minute, then for the second, so bursts leave at the allowed pace in arrival order
 * and nothing is refused for speed alone. In memory: these windows are seconds long (see README for several instances).
 */
export class OrderPacer {
  private readonly perSecond: RateLimiterMemory;
  private readonly perMinute: RateLimiterMemory;
  private readonly secondQueue: RateLimiterQueue;
  private readonly minuteQueue: RateLimiterQueue;
  waiting = 0;

  constructor(readonly limits: { perSecond: number; perMinute: number }) {
    // One order per 1/N s (plus 5% for timer jitter) rather than N per fixed second: fixed windows would let 2N
    // through across a window boundary, and Kite counts any second.
    this.perSecond = new RateLimiterMemory({ points: 1, duration: 1.05 / limits.perSecond });
    this.perMinute = new RateLimiterMemory({ points: limits.perMinute, duration: 60 });
    this.minuteQueue = new RateLimiterQueue(this.perMinute, { maxQueueSize: 100_000 });
    this.secondQueue = new RateLimiterQueue(this.perSecond, { maxQueueSize: 100_000 });
  }

  /** Resolves when one more order may leave now. */
  async take(): Promise<void> {
    this.waiting++;
    try {
      await this.minuteQueue.removeTokens(1);
      await this.secondQueue.removeTokens(1);
    } finally {
      this.waiting--;
    }
  }

  async usage(): Promise<{ perSecond: RateWindowUsage; perMinute: RateWindowUsage; queued: number }> {
    return {
      perSecond: { limit: this.limits.perSecond, remaining: (await this.secondQueue.getTokensRemaining()) > 0 ? this.limits.perSecond : 0 },
      perMinute: { limit: this.limits.perMinute, remaining: await this.minuteQueue.getTokensRemaining() },
      queued: this.waiting,
    };
  }
}
