import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mulberry32 } from './seeded-random';

/** Delivery faults, all off by default. Random ones draw from the seeded generator, so runs repeat. */
export interface PostbackFaults {
  /** Send every postback twice, byte-identical (a gateway retrying behind Kite's back). */
  duplicate: boolean;
  /** Hold each postback this long before sending it. */
  delayMs: number;
  /** Collect this many postbacks, then send them in reverse order (0/1 = off); a partial window is released after reorderMaxHoldMs or on flush. */
  reorderWindow: number;
  reorderMaxHoldMs: number;
  /** Drop everything, e.g. "the engine is down". */
  dropAll: boolean;
  /** Drop the next N postbacks. */
  dropNext: number;
  /** Drop each postback with this probability (0..1). */
  dropProbability: number;
}

export const NO_POSTBACK_FAULTS: PostbackFaults = {
  duplicate: false,
  delayMs: 0,
  reorderWindow: 0,
  reorderMaxHoldMs: 1000,
  dropAll: false,
  dropNext: 0,
  dropProbability: 0,
};

export interface PostbackSenderOptions {
  url?: string;
  seed: number;
  faults?: Partial<PostbackFaults>;
  /** Kite documents no retries; off by default. */
  retries: number;
  retryDelayMs: number;
  timeoutMs: number;
  log: (message: string) => void;
}

export interface PostbackStats {
  /** Postbacks handed to the sender. */
  enqueued: number;
  /** HTTP deliveries answered 2xx (a duplicated postback counts twice). */
  sent: number;
  /** Postbacks dropped by a fault switch, or discarded on stop. */
  dropped: number;
  /** Deliveries that failed after all retries (network error or non-2xx). */
  failed: number;
}

/** Kite's header: it says form-urlencoded although the body is raw JSON. Receivers must read the raw bytes. */
const KITE_POSTBACK_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8';

/**
 * Delivers postbacks one at a time (so without faults they arrive in the order they happened), with fault injection.
 * Never throws: failures are logged and counted.
 */
export class PostbackSender {
  readonly stats: PostbackStats = { enqueued: 0, sent: 0, dropped: 0, failed: 0 };
  private url: string | undefined;
  private faults: PostbackFaults;
  private readonly random: () => number;
  private chain: Promise<void> = Promise.resolve();
  private reorderBuffer: string[] = [];
  private reorderTimer: NodeJS.Timeout | undefined;
  private readonly delayTimers = new Map<NodeJS.Timeout, string>();
  /** Postbacks accepted but not yet fully delivered (or failed); flush() waits for zero. */
  private outstanding = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly options: PostbackSenderOptions) {
    this.url = options.url;
    this.faults = { ...NO_POSTBACK_FAULTS, ...options.faults };
    this.random = mulberry32(options.seed ^ 0x9e3779b9);
  }

  setUrl(url: string | undefined): void {
    this.url = url;
  }

  getUrl(): string | undefined {
    return this.url;
  }

  setFaults(faults: Partial<PostbackFaults>): void {
    this.faults = { ...this.faults, ...faults };
    if (this.faults.reorderWindow <= 1) this.releaseReorderBuffer();
  }

  getFaults(): PostbackFaults {
    return { ...this.faults };
  }

  send(payload: object): void {
    if (this.closed || !this.url) return;
    this.stats.enqueued++;
    if (this.shouldDrop()) {
      this.stats.dropped++;
      this.options.log(`postback dropped (fault): ${summary(payload)}`);
      return;
    }
    const body = JSON.stringify(payload);
    this.outstanding++;
    if (this.faults.delayMs > 0) {
      const timer = setTimeout(() => {
        this.delayTimers.delete(timer);
        this.admit(body);
      }, this.faults.delayMs);
      timer.unref();
      this.delayTimers.set(timer, body);
    } else {
      this.admit(body);
    }
  }

  /** Resolves once every accepted postback has been delivered or has failed; releases a held reorder window. */
  async flush(): Promise<void> {
    this.releaseReorderBuffer();
    if (this.outstanding === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Accept postbacks again after close(). */
  open(): void {
    this.closed = false;
  }

  /** Stop: discard what is delayed or held (counted as dropped), then let in-flight requests finish. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.delayTimers.keys()) clearTimeout(timer);
    const discarded = this.delayTimers.size + this.reorderBuffer.length;
    this.delayTimers.clear();
    this.reorderBuffer = [];
    clearTimeout(this.reorderTimer);
    this.stats.dropped += discarded;
    this.settle(discarded);
    await this.chain;
  }

  private shouldDrop(): boolean {
    const faults = this.faults;
    if (faults.dropAll) return true;
    if (faults.dropNext > 0) {
      faults.dropNext--;
      return true;
    }
    return faults.dropProbability > 0 && this.random() < faults.dropProbability;
  }

  /** Past the delay: either hold it in the reorder window or queue it for delivery. */
  private admit(body: string): void {
    if (this.faults.reorderWindow <= 1) return this.enqueueDelivery(body);
    this.reorderBuffer.push(body);
    if (this.reorderBuffer.length >= this.faults.reorderWindow) return this.releaseReorderBuffer();
    if (!this.reorderTimer) {
      this.reorderTimer = setTimeout(() => this.releaseReorderBuffer(), this.faults.reorderMaxHoldMs);
      this.reorderTimer.unref();
    }
  }

  private releaseReorderBuffer(): void {
    clearTimeout(this.reorderTimer);
    this.reorderTimer = undefined;
    const held = this.reorderBuffer.reverse();
    this.reorderBuffer = [];
    for (const body of held) this.enqueueDelivery(body);
  }

  private enqueueDelivery(body: string): void {
    const copies = this.faults.duplicate ? 2 : 1;
    this.chain = this.chain.then(async () => {
      for (let i = 0; i < copies; i++) await this.deliver(body);
      this.settle(1);
    });
  }

  private settle(count: number): void {
    this.outstanding -= count;
    if (this.outstanding > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async deliver(body: string): Promise<void> {
    const url = this.url;
    if (!url) {
      this.stats.failed++;
      return;
    }
    for (let attempt = 0; ; attempt++) {
      const error = await post(url, body, this.options.timeoutMs);
      if (!error) {
        this.stats.sent++;
        return;
      }
      if (attempt >= this.options.retries) {
        this.stats.failed++;
        this.options.log(`postback to ${url} failed: ${error}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs).unref());
    }
  }
}

/** One POST; resolves to an error description, or undefined on a 2xx. Never rejects. */
function post(url: string, body: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve(`invalid URL ${url}`);
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        agent: false, // one connection per postback, closed after: no keep-alive sockets left behind
        timeout: timeoutMs,
        headers: { 'Content-Type': KITE_POSTBACK_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode && res.statusCode < 300 ? undefined : `HTTP ${res.statusCode}`));
        res.on('error', (error) => resolve(error.message));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (error) => resolve(error.message));
    req.end(body);
  });
}

function summary(payload: object): string {
  const { order_id, status } = payload as { order_id?: unknown; status?: unknown };
  return `${String(order_id)} ${String(status)}`;
}
