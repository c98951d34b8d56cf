import { LiveStreamConnection, openLiveStream } from '../../src/cli/live-stream.client';
import type { EngineState, OrdersChangedMessage, ResyncMessage } from '../../src/live/live-messages';
import { eventually } from './eventually';

export type LiveMessage =
  | { type: 'resync'; id: string; data: ResyncMessage }
  | { type: 'state'; id: string; data: EngineState }
  | { type: 'orders'; id: string; data: OrdersChangedMessage }
  | { type: 'error'; closed: boolean; status?: number };

/** The engine's live stream through the same client `trades watch` uses, every message kept in arrival order. */
export class LiveStreamRecorder {
  readonly messages: LiveMessage[] = [];
  private readonly connection: LiveStreamConnection;

  constructor(baseUrl: string, options: { token?: string; lastEventId?: string } = {}) {
    this.connection = openLiveStream(baseUrl, options, {
      resync: (data, id) => this.messages.push({ type: 'resync', id, data }),
      state: (data) => this.messages.push({ type: 'state', id: this.connection.lastEventId, data }),
      orders: (data, id) => this.messages.push({ type: 'orders', id, data }),
      error: (problem) => this.messages.push({ type: 'error', closed: problem.closed, status: problem.status }),
    });
  }

  get lastEventId(): string {
    return this.connection.lastEventId;
  }

  of<T extends LiveMessage['type']>(type: T): Array<Extract<LiveMessage, { type: T }>> {
    return this.messages.filter((m): m is Extract<LiveMessage, { type: T }> => m.type === type);
  }

  /** Every order id reported changed so far. */
  changedOrders(): Set<string> {
    return new Set(this.of('orders').flatMap((m) => m.data.orderIds));
  }

  waitFor<T>(check: (recorder: this) => T, what: string, timeoutMs = 10_000) {
    return eventually(() => check(this), what, timeoutMs);
  }

  close(): void {
    this.connection.close();
  }
}
