import { Controller, Get, Header, Headers, MessageEvent, Query, Sse } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { TRADE_LOG_ACCESS } from '../access/access-areas';
import { AcceptsQueryToken, Protected } from '../access/access.guard';
import { LiveFeed } from './live-feed.service';
import type { EngineState } from './live-messages';

/** A Last-Event-ID as the stream writes them (a non-negative integer); anything else counts as none. */
export function parseEventId(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : null;
}

/**
 * The live trade log, read-only, behind the trade log's access rule (TRADE_LOG_TOKEN): the engine's state, and one
 * server-sent-events stream of it and of order changes for the /trades page and `npm run trades -- watch`.
 */
@Controller('api/trade-log')
@Protected(TRADE_LOG_ACCESS)
export class LiveController {
  constructor(private readonly feed: LiveFeed) {}

  /** Mode, kill switch, order-rate usage, inbox backlog, order stream, last reconcile, instance role. */
  @Get('engine')
  @Header('Cache-Control', 'no-store')
  engine(): Promise<EngineState> {
    return this.feed.current();
  }

  /**
   * Server-sent events (see live-messages.ts). A reconnecting EventSource sends Last-Event-ID by itself; a client that
   * opens a new connection may pass it as ?lastEventId= instead.
   */
  @Sse('stream')
  @AcceptsQueryToken('stream')
  stream(@Headers('last-event-id') header: string | undefined, @Query('lastEventId') query: string | undefined): Observable<MessageEvent> {
    return this.feed.connect(parseEventId(header ?? query));
  }
}
