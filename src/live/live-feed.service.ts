import { BeforeApplicationShutdown, Injectable, Logger, MessageEvent } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { BehaviorSubject, filter, interval, map, Observable, share, Subject, Subscription, tap } from 'rxjs';
import { DataSource } from 'typeorm';
import { errorText } from '../common/error-text';
import { LegEventName, LegFailedEvent, LegPlacedEvent } from '../events/leg.events';
import { OnAnyOrderEvent } from '../events/on-any-order-event';
import type { AnyOrderEvent } from '../events/order.events';
import { OrderEventRecord } from '../orders/entities/order-event.entity';
import { coalesce } from './coalesce';
import { EngineStateService } from './engine-state.service';
import { EngineState, LiveEvent, OrdersChangedMessage, ResyncMessage } from './live-messages';

/** Order changes arriving within this window go out as one message. */
export const COALESCE_MS = 250;
/** How often the engine's state is read while someone watches (once for all watchers); sent only when it changed. */
export const STATE_INTERVAL_MS = 2_000;
/** A comment line this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** Browsers wait this long before reconnecting a dropped stream. */
const RETRY_MS = 2_000;
/** Most changed orders listed on a resumed connection (the client reloads everything anyway). */
const RESUME_LIMIT = 500;

interface Change {
  orderId?: string;
  chainId?: string;
  /** The order_events id, for order.* events. */
  eventId?: number;
}

interface ChangeBatch extends OrdersChangedMessage {
  /** Newest order_events id in the batch; null when it held only leg events. */
  eventId: number | null;
}

const sameState = (a: EngineState | null, b: EngineState): boolean => a !== null && JSON.stringify({ ...a, at: null }) === JSON.stringify({ ...b, at: null });

/**
 * The live view's source: turns the domain events (order.*, leg.*) into coalesced "these orders changed" messages,
 * keeps the engine's state fresh while anyone watches, and makes each connection's stream of server-sent events.
 * Read-only: it listens and reads; the page and the CLI fetch the data itself from the trade-log API.
 */
@Injectable()
export class LiveFeed implements BeforeApplicationShutdown {
  private readonly logger = new Logger('LiveFeed');
  private readonly changes = new Subject<Change>();
  private readonly batches: Observable<ChangeBatch>;
  private readonly state = new BehaviorSubject<EngineState | null>(null);
  private readonly closing = new Subject<void>();
  private refreshing: Promise<void> | null = null;
  private stateTimer: NodeJS.Timeout | undefined;
  private watchers = 0;

  constructor(
    private readonly engineState: EngineStateService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.batches = coalesce(this.changes, COALESCE_MS).pipe(
      map(batchOf),
      tap(() => void this.refreshState()), // a change often moves the state too (order usage, a strategy limit's kill switch)
      share(), // one window for every watcher
    );
  }

  // Listeners return at once: the outbox publisher awaits its listeners, and watching must never slow it.
  @OnAnyOrderEvent()
  onOrderEvent(event: AnyOrderEvent): void {
    if (this.watchers > 0) this.changes.next({ orderId: event.orderId, eventId: event.eventId });
  }

  @OnEvent(LegEventName.Placed)
  @OnEvent(LegEventName.Failed)
  onLegEvent(event: LegPlacedEvent | LegFailedEvent): void {
    if (this.watchers > 0) this.changes.next({ chainId: event.leg.chainId, orderId: event instanceof LegPlacedEvent ? event.orderId : undefined });
  }

  /** The engine's state now (also GET /api/trade-log/engine). */
  async current(): Promise<EngineState> {
    await this.refreshState();
    return this.state.value ?? this.engineState.read();
  }

  /**
   * One client's stream: `resync` first (with what changed since `lastEventId`, when the client sent one this store
   * knows), then `state` and `orders` as they come, until the client leaves or the engine stops.
   */
  connect(lastEventId: number | null): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      const subscriptions = new Subscription();
      let cursor = 0;
      let opened = false;
      const early: ChangeBatch[] = [];
      const send = (type: string, data: object) => subscriber.next({ type, id: String(cursor), data });
      const sendBatch = ({ eventId, ...message }: ChangeBatch) => {
        if (eventId !== null) cursor = Math.max(cursor, eventId);
        send(LiveEvent.Orders, message);
      };

      this.watch(+1);
      subscriptions.add(() => this.watch(-1));
      // Listen before reading where the store stands, so nothing falls between the two.
      subscriptions.add(this.batches.subscribe((batch) => (opened ? sendBatch(batch) : early.push(batch))));
      subscriptions.add(this.closing.subscribe(() => subscriber.complete()));
      subscriptions.add(interval(HEARTBEAT_MS).subscribe(() => subscriber.next({ comment: 'keep-alive' })));
      this.opening(lastEventId).then(
        ({ cursor: latest, message }) => {
          if (subscriber.closed) return;
          cursor = latest;
          subscriber.next({ type: LiveEvent.Resync, id: String(cursor), retry: RETRY_MS, data: message });
          opened = true;
          early.splice(0).forEach(sendBatch);
          subscriptions.add(this.state.pipe(filter((s): s is EngineState => s !== null)).subscribe((s) => send(LiveEvent.State, s)));
        },
        (error: unknown) => {
          this.logger.warn(`live stream not opened: ${errorText(error)}`);
          subscriber.error(error);
        },
      );
      return subscriptions;
    });
  }

  /** Ends every open stream; clients reconnect by themselves (and resume from their Last-Event-ID). */
  endStreams(): void {
    this.closing.next();
  }

  beforeApplicationShutdown(): void {
    // Open streams would hold the HTTP server open; ending them lets it close (browsers reconnect to the next engine).
    this.endStreams();
    clearInterval(this.stateTimer);
  }

  private watch(delta: 1 | -1): void {
    this.watchers += delta;
    if (this.watchers > 0 && !this.stateTimer) {
      this.stateTimer = setInterval(() => void this.refreshState(), STATE_INTERVAL_MS);
      this.stateTimer.unref();
    } else if (this.watchers === 0) {
      clearInterval(this.stateTimer);
      this.stateTimer = undefined;
    }
  }

  /** One read for every watcher; published only when something changed. */
  private refreshState(): Promise<void> {
    this.refreshing ??= this.engineState
      .read()
      .then(
        (state) => {
          if (!sameState(this.state.value, state)) this.state.next(state);
        },
        (error: unknown) => this.logger.warn(`engine state not read: ${errorText(error)}`),
      )
      .finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async opening(lastEventId: number | null): Promise<{ cursor: number; message: ResyncMessage }> {
    await this.refreshState();
    const events = this.dataSource.getRepository(OrderEventRecord);
    const latest = Number((await events.createQueryBuilder('e').select('MAX(e.id)', 'latest').getRawOne<{ latest: number | null }>())?.latest ?? 0);
    if (lastEventId === null || lastEventId > latest) {
      // A new connection, or an id from another store (a reset trade log): nothing to mark, reload everything.
      return { cursor: latest, message: { reason: 'connected', since: null, orderIds: [], truncated: false } };
    }
    const rows = await events
      .createQueryBuilder('e')
      .select('e.orderId', 'orderId')
      .where('e.id > :since', { since: lastEventId })
      .groupBy('e.orderId')
      .orderBy('MAX(e.id)', 'DESC')
      .limit(RESUME_LIMIT + 1)
      .getRawMany<{ orderId: string }>();
    return {
      cursor: latest,
      message: { reason: 'resumed', since: lastEventId, orderIds: rows.slice(0, RESUME_LIMIT).map((r) => r.orderId), truncated: rows.length > RESUME_LIMIT },
    };
  }
}

/** Distinct orders and chains of a window's changes, and its newest event id. */
export function batchOf(changes: readonly Change[]): ChangeBatch {
  const orderIds = new Set<string>();
  const chainIds = new Set<string>();
  let eventId: number | null = null;
  for (const change of changes) {
    if (change.orderId) orderIds.add(change.orderId);
    if (change.chainId) chainIds.add(change.chainId);
    if (change.eventId !== undefined) eventId = Math.max(eventId ?? 0, change.eventId);
  }
  return { orderIds: [...orderIds], chainIds: [...chainIds], eventId };
}
