/**
 * A client of the engine's live stream (GET /api/trade-log/stream, server-sent events) for Node: the `eventsource`
 * package, which implements the browser's EventSource (reconnect, Last-Event-ID) and lets us send the token as an
 * Authorization header.
 */
import { ErrorEvent, EventSource } from 'eventsource';
import type { EngineState, OrdersChangedMessage, ResyncMessage } from '../live/live-messages';

export interface LiveStreamHandlers {
  open?(): void;
  resync?(message: ResyncMessage, lastEventId: string): void;
  state?(state: EngineState): void;
  orders?(message: OrdersChangedMessage, lastEventId: string): void;
  /** The connection dropped (it reconnects by itself), or failed for good (`closed`: e.g. 401, reconnecting would not help). */
  error?(problem: { closed: boolean; status?: number; message?: string }): void;
}

export interface LiveStreamConnection {
  close(): void;
  /** The id of the last message received ('' before the first). */
  readonly lastEventId: string;
}

export function openLiveStream(baseUrl: string, options: { token?: string; lastEventId?: string }, handlers: LiveStreamHandlers): LiveStreamConnection {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/api/trade-log/stream`);
  if (options.lastEventId) url.searchParams.set('lastEventId', options.lastEventId);
  const source = new EventSource(url, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}) } }),
  });
  let lastEventId = options.lastEventId ?? '';
  const on = <T>(type: string, handle: ((data: T, id: string) => void) | undefined) =>
    source.addEventListener(type, (event: MessageEvent) => {
      lastEventId = event.lastEventId;
      handle?.(JSON.parse(event.data as string) as T, event.lastEventId);
    });
  source.addEventListener('open', () => handlers.open?.());
  on<ResyncMessage>('resync', handlers.resync && ((message, id) => handlers.resync!(message, id)));
  on<EngineState>('state', handlers.state && ((state) => handlers.state!(state)));
  on<OrdersChangedMessage>('orders', handlers.orders && ((message, id) => handlers.orders!(message, id)));
  source.addEventListener('error', (event: ErrorEvent) =>
    handlers.error?.({ closed: source.readyState === EventSource.CLOSED, status: event.code, message: event.message }),
  );
  return {
    close: () => source.close(),
    get lastEventId() {
      return lastEventId;
    },
  };
}
