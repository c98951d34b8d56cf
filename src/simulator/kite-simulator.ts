import { randomBytes } from 'node:crypto';
import { OrderUpdateStream } from './order-update-stream';
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hexDigestsEqual, sessionChecksum } from '../common/kite-checksum';
import { matchRoute, parseBody, readBody, route, Route, RouteParams, sendCsv, sendJson } from './http-helpers';
import { formatIst } from '../market/ist-time';
import { inputError, KiteApiError, KiteErrorType, orderNotFound, tokenError } from './kite-errors';
import { SimulatedOrder, toPostback, TradeRow } from './kite-rows';
import { OrderBook, BookEvent } from './order-book';
import { EXCHANGES, FormFields, parseModifyParams } from './order-params';
import { fireDueTriggers, GttBook, GttStatus, Trigger } from './gtt-book';
import { parseGttParams } from './gtt-params';
import { InstrumentList, instrumentsCsv, InstrumentRow } from './instruments';
import { OrderEntry } from './order-entry';
import { computePositions, PositionRow } from './positions';
import { PostbackFaults, PostbackSender, PostbackStats } from './postback-sender';
import { PriceWalk } from './price-walk';
import { hashString } from './seeded-random';
import { PlacementFault, resolveSimulatorOptions, SimulatorOptions } from './simulator.options';

/** One request as the simulator received it, for tests that assert exactly what arrived. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: FormFields;
  body: FormFields;
  headers: IncomingHttpHeaders;
  receivedAt: Date;
  /** performance.now() when the request was read: for latency benches in the same process. */
  receivedHr: number;
}

interface RequestContext {
  params: RouteParams;
  query: FormFields;
  body: FormFields;
  req: IncomingMessage;
  res: ServerResponse;
}

type Handler = (ctx: RequestContext) => unknown;

interface SimRoute extends Route<Handler> {
  /** Kite API routes need X-Kite-Version and the Authorization header; login and control routes do not. */
  authenticated: boolean;
}

/** A handler returns this when it has answered (or deliberately withheld) the response itself. */
const RESPONDED = Symbol('responded');

const PLACEMENT_FAILURES: Record<Exclude<NonNullable<PlacementFault['status']>, 400>, [KiteErrorType, string]> = {
  429: ['NetworkException', 'Too many requests'],
  500: ['GeneralException', 'Something went wrong while processing the order. Please try again.'],
  502: ['NetworkException', 'Unable to reach the OMS. Please try again.'],
  503: ['NetworkException', 'Service unavailable. Please try again later.'],
  504: ['NetworkException', 'Gateway timed out.'],
};
const placementFailure = (status: keyof typeof PLACEMENT_FAILURES): KiteApiError => new KiteApiError(status, ...PLACEMENT_FAILURES[status]);
/** Reported by a user as a 400 whose orders appeared 8 s later; no error_type, so kiteconnect calls it a NetworkException. */
const ORDER_REQUEST_TIMED_OUT = {
  status: 'error',
  message: 'Order request timed out. Please check the order book and confirm before placing again.',
  data: null,
};

const token = (): string => randomBytes(16).toString('hex');

/**
 * A Kite Connect v3 look-alike for paper trading and tests: the official kiteconnect client works against it with
 * `root: sim.url`. Orders match against a seeded random walk; state changes are posted back with Kite's checksum,
 * through switchable delivery faults.
 */
export class KiteSimulator {
  readonly options: SimulatorOptions;
  /** Every API request received (control routes excluded), oldest first. */
  readonly requests: RecordedRequest[] = [];
  /** Callers of nextRequest() still waiting, each with the request it waits for. */
  private readonly requestWaiters = new Set<{
    matches: (request: RecordedRequest) => boolean;
    arrived: (request: RecordedRequest) => void;
    fail: (error: Error) => void;
  }>();

  private readonly walk: PriceWalk;
  private readonly book: OrderBook;
  private readonly postbacks: PostbackSender;
  private readonly instruments: InstrumentList;
  private readonly orderEntry: OrderEntry;
  private readonly gtts: GttBook;
  /** Orders a GTT fired: their postbacks follow options.gttPostbacks. */
  private readonly gttOrderIds = new Set<string>();
  private readonly routes: SimRoute[];
  private readonly accessTokens = new Set<string>();
  /** Outstanding request tokens → the Kite user who logged in to get each. */
  private readonly requestTokens = new Map<string, string>();
  /** Placement requests held without an answer ('timeout' faults): each timer with the function that answers it now. */
  private readonly heldRequests = new Map<NodeJS.Timeout, () => void>();
  private placementFault: Required<PlacementFault> | undefined;
  /** The same faults for POST /gtt/triggers (createOrder: the GTT is created before the failure). */
  private gttPlacementFault: Required<PlacementFault> | undefined;
  /** While set, GET /orders and /trades answers wait for it (read at arrival, answered late). */
  private bookReadGate: Promise<void> | undefined;
  private orderBookFault: { count: number; status: 502 | 503 | 504 } | undefined;
  /** When each order was placed (by the simulator's clock), for the visibility lag. */
  private readonly placedAt = new Map<string, number>();
  private visibilityLagMs: number;
  private recentPlacements: number[] = [];
  private server: Server | undefined;
  /** WebSocket order updates (KiteTicker's `order_update`), on the same port. */
  readonly orderStream = new OrderUpdateStream(
    (apiKey, accessToken) => apiKey === this.options.apiKey && accessToken !== null && this.accessTokens.has(accessToken),
  );
  private boundPort: number | undefined;
  private tickTimer: NodeJS.Timeout | undefined;

  constructor(options: Partial<SimulatorOptions> = {}) {
    const o = (this.options = resolveSimulatorOptions(options));
    const instruments = (this.instruments = new InstrumentList(o.now, { startPrices: o.startPrices }));
    this.walk = new PriceWalk({
      seed: o.seed,
      tickSize: o.tickSize,
      volatility: o.volatility,
      startPrices: o.startPrices,
      startPriceOf: (symbol) => instruments.findSymbol(symbol)?.last_price,
    });
    this.book = new OrderBook({
      ...o,
      lastPrice: (symbol) => this.walk.price(symbol),
      instrumentToken: (exchange, symbol) =>
        instruments.find(exchange, symbol)?.instrument_token ?? o.instrumentTokens[symbol] ?? 1_000_000 + (hashString(`${exchange}:${symbol}`) % 9_000_000),
    });
    this.orderEntry = new OrderEntry(this.book, instruments, o);
    this.gtts = new GttBook({
      ...o,
      maxActive: o.gttMaxActive,
      minTriggerDistancePct: o.gttMinTriggerDistancePct,
      instrument: (exchange, symbol) => instruments.find(exchange, symbol),
      lastPrice: (symbol) => this.walk.price(symbol),
    });
    for (const symbol of o.rejectSymbols) this.book.rejectedSymbols.set(symbol, undefined);
    this.postbacks = new PostbackSender({
      url: o.postbackUrl,
      seed: o.seed,
      faults: o.postbackFaults,
      retries: o.postbackRetries,
      retryDelayMs: o.postbackRetryDelayMs,
      timeoutMs: o.postbackTimeoutMs,
      log: o.log,
    });
    this.accessTokens.add(o.accessToken);
    this.visibilityLagMs = o.orderVisibilityLagMs;
    if (o.placementFault) this.setPlacementFault(o.placementFault);
    this.routes = this.buildRoutes();
  }

  // ---- lifecycle -------------------------------------------------------------------------------------------------

  async start(): Promise<this> {
    if (this.server) throw new Error('simulator already started');
    this.postbacks.open(); // a stopped simulator can start again, keeping its book (an API outage, say)
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A restart reuses the port picked the first time, so clients keep their root URL.
      server.listen(this.boundPort ?? this.options.port, this.options.host, () => resolve());
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.orderStream.attach(server);
    if (this.options.autoTickMs > 0) {
      this.tickTimer = setInterval(() => this.tick(), this.options.autoTickMs);
      this.tickTimer.unref();
    }
    this.options.log(`Kite simulator listening on ${this.url}`);
    return this;
  }

  /**
   * Stops timers, discards held/delayed postbacks, cuts open connections (held requests included), fails nextRequest()
   * waiters and closes.
   * Orders, prices and tokens survive: start() again (on the same port) to model an API outage.
   */
  async stop(): Promise<void> {
    clearInterval(this.tickTimer);
    this.tickTimer = undefined;
    for (const timer of this.heldRequests.keys()) clearTimeout(timer);
    this.heldRequests.clear();
    for (const waiter of this.requestWaiters) waiter.fail(new Error('the simulator stopped before a matching request arrived'));
    await this.postbacks.close();
    await this.orderStream.close();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Root for `new KiteTicker({ api_key, access_token, root: sim.wsUrl })`: order updates over WebSocket. */
  get wsUrl(): string {
    return `${this.url.replace(/^http/, 'ws')}/`;
  }

  /** Base URL for `new KiteConnect({ root: sim.url })`. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('simulator is not started');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  // ---- market ----------------------------------------------------------------------------------------------------

  getPrice(tradingsymbol: string): number {
    return this.walk.price(tradingsymbol);
  }

  /** Set the last price (rounded to the tick), match that symbol's resting orders against it and fire its due GTTs. */
  setPrice(tradingsymbol: string, price: number): number {
    const rounded = this.walk.set(tradingsymbol, price);
    this.publish(this.book.match(tradingsymbol));
    this.fireGtts(tradingsymbol);
    return rounded;
  }

  /** Advance the random walk n steps, matching (then firing due GTTs) after each. */
  tick(steps = 1): void {
    for (let i = 0; i < steps; i++) {
      this.walk.step();
      this.publish(this.book.match());
      this.fireGtts();
    }
  }

  // ---- instruments, positions, GTTs (inspection and control) -------------------------------------------------------

  /** Today's instrument list (what GET /instruments serves). */
  getInstruments(): readonly InstrumentRow[] {
    return this.instruments.all();
  }

  getPositions(): { net: PositionRow[]; day: PositionRow[] } {
    return computePositions(this.book.trades(), (symbol) => this.walk.price(symbol));
  }

  getGtt(triggerId: number): Trigger {
    return this.gtts.get(triggerId);
  }

  getGtts(): Trigger[] {
    return this.gtts.list();
  }

  /** Kite's side of a GTT's life: cancel or reject it (corporate action, lot-size change), disable or expire it. */
  setGttStatus(triggerId: number, status: Exclude<GttStatus, 'active' | 'triggered' | 'deleted'>): Trigger {
    return this.gtts.setStatus(triggerId, status);
  }

  /** The `algo_id` an order was placed with (Kite does not echo it in the order row). */
  getOrderAlgoId(orderId: string): string | undefined {
    return this.orderEntry.algoId(orderId);
  }

  /** The next autoslice placement fails these slices (0-based) with a MarginException child, as in Kite's mock. */
  failNextAutoslices(sliceIndexes: number[]): void {
    this.orderEntry.failNextAutoslices(sliceIndexes);
  }

  // ---- orders (inspection and control) ---------------------------------------------------------------------------

  getOrder(orderId: string): SimulatedOrder | undefined {
    return this.book.get(orderId);
  }

  getOrderHistory(orderId: string): SimulatedOrder[] | undefined {
    return this.book.history(orderId);
  }

  getOrders(): SimulatedOrder[] {
    return this.book.list();
  }

  getTrades(orderId?: string): TradeRow[] {
    return this.book.trades(orderId);
  }

  /** Force a (partial) fill; price defaults to the order's limit price, else the last price. */
  fillOrder(orderId: string, quantity: number, price?: number): SimulatedOrder {
    this.publish(this.book.fill(orderId, quantity, price));
    return this.book.get(orderId)!;
  }

  /** The exchange/RMS rejects a live order with this status_message. */
  rejectOrder(orderId: string, message: string): SimulatedOrder {
    this.publish(this.book.reject(orderId, message));
    return this.book.get(orderId)!;
  }

  /** RMS rejects future orders in this symbol (optionally with a custom status_message); `false` lifts it. */
  setSymbolRejection(tradingsymbol: string, rejection: boolean | string = true): void {
    if (rejection === false) this.book.rejectedSymbols.delete(tradingsymbol);
    else this.book.rejectedSymbols.set(tradingsymbol, typeof rejection === 'string' ? rejection : undefined);
  }

  /** RMS rejects (after accepting) the next `count` orders placed, whatever their symbol. */
  rejectNextPlacements(count: number, message?: string): void {
    this.book.rejectNext.count = count;
    this.book.rejectNext.message = message;
  }

  setMaxQuantity(quantity: number): void {
    this.book.maxQuantity = quantity;
  }

  // ---- session -----------------------------------------------------------------------------------------------------

  /**
   * A fresh single-use request_token, as the login redirect would carry. `userId`: which Kite account logged in
   * (default: the simulator's own user), e.g. to try another account's login against an engine.
   */
  issueRequestToken(userId: string = this.options.userId): string {
    const requestToken = token();
    this.requestTokens.set(requestToken, userId);
    return requestToken;
  }

  /** The simulator's login URL (kiteconnect's getLoginURL() always points at kite.zerodha.com). */
  loginUrl(redirectUrl?: string): string {
    const query = new URLSearchParams({ api_key: this.options.apiKey, v: '3' });
    if (redirectUrl) query.set('redirect_url', redirectUrl);
    return `${this.url}/connect/login?${query}`;
  }

  /** Invalidate one access token, or all of them (the 6 AM expiry): later calls get 403 TokenException. */
  /** Make a token valid (again), e.g. after revokeAccessTokens in a test. */
  grantAccessToken(accessToken: string): void {
    this.accessTokens.add(accessToken);
  }

  revokeAccessTokens(accessToken?: string): void {
    if (accessToken === undefined) this.accessTokens.clear();
    else this.accessTokens.delete(accessToken);
  }

  // ---- postbacks and faults ----------------------------------------------------------------------------------------

  setPostbackUrl(url: string | undefined): void {
    this.postbacks.setUrl(url);
  }

  setPostbackFaults(faults: Partial<PostbackFaults>): void {
    this.postbacks.setFaults(faults);
  }

  getPostbackFaults(): PostbackFaults {
    return this.postbacks.getFaults();
  }

  get postbackStats(): Readonly<PostbackStats> {
    return { ...this.postbacks.stats };
  }

  /** Resolves once every queued, delayed or held postback has been delivered (or has failed). */
  flushPostbacks(): Promise<void> {
    return this.postbacks.flush();
  }

  /** Make the next `count` placements fail; replaces any fault still pending. count 0 clears it. */
  setPlacementFault(fault: PlacementFault | undefined): void {
    this.placementFault =
      fault && fault.count > 0
        ? {
            kind: fault.kind,
            count: fault.count,
            status: fault.status ?? 503,
            createOrder: fault.createOrder ?? false,
            holdMs: fault.holdMs ?? 10_000,
            skip: fault.skip ?? 0,
          }
        : undefined;
  }

  /**
   * Make the next `count` GTT placements (POST /gtt/triggers) fail like order placements do; `createOrder` creates the
   * GTT first: Kite has it, the client does not know. count 0 clears it.
   */
  setGttPlacementFault(fault: PlacementFault | undefined): void {
    this.gttPlacementFault =
      fault && fault.count > 0
        ? {
            kind: fault.kind,
            count: fault.count,
            status: fault.status ?? 503,
            createOrder: fault.createOrder ?? false,
            holdMs: fault.holdMs ?? 10_000,
            skip: 0,
          }
        : undefined;
  }

  failNextPlacements(count: number, options: { status?: PlacementFault['status']; createOrder?: boolean; skip?: number } = {}): void {
    this.setPlacementFault({ kind: 'error', count, ...options });
  }

  timeoutNextPlacements(count: number, options: { holdMs?: number; createOrder?: boolean; skip?: number } = {}): void {
    this.setPlacementFault({ kind: 'timeout', count, ...options });
  }

  /**
   * Hold the answers to GET /orders and GET /trades: each is read from the book when it arrives but sent only after
   * release() — a reader (reconcile) then holds a snapshot older than what happened meanwhile, as when Kite's answer
   * is in flight while postbacks arrive.
   */
  holdBookReads(): { release(): void } {
    let release!: () => void;
    this.bookReadGate = new Promise<void>((resolve) => (release = resolve));
    return {
      release: () => {
        this.bookReadGate = undefined;
        release();
      },
    };
  }

  /** Answer every placement held by a 'timeout' fault now, with the 504 it would have got later. */
  releaseHeldPlacements(): number {
    const held = [...this.heldRequests.values()];
    for (const answer of held) answer();
    return held.length;
  }

  /** The next `count` reads of the order book (GET /orders) fail with a NetworkException; count 0 clears it. */
  failNextOrderBookReads(count: number, status: 502 | 503 | 504 = 503): void {
    this.orderBookFault = count > 0 ? { count, status } : undefined;
  }

  /**
   * New orders stay invisible in GET /orders, their history and trades for `ms` (Kite's OMS lag while an order
   * propagates). The order exists meanwhile: it matches, fills and posts back.
   */
  setOrderVisibilityLag(ms: number): void {
    if (!(ms >= 0)) throw new Error('the visibility lag must be a number of milliseconds >= 0');
    this.visibilityLagMs = ms;
  }

  /** Everything back to normal: no postback, placement or order-book faults; the configured visibility lag. */
  clearFaults(): void {
    this.postbacks.setFaults({ duplicate: false, delayMs: 0, reorderWindow: 0, dropAll: false, dropNext: 0, dropProbability: 0 });
    this.placementFault = undefined;
    this.gttPlacementFault = undefined;
    this.orderBookFault = undefined;
    this.visibilityLagMs = this.options.orderVisibilityLagMs;
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /**
   * The next API request that `matches`, arriving after this call: resolved the moment it is read (before it is
   * answered), so a latency bench waits on it instead of polling `requests` (polling would burn the CPU it measures).
   * Rejects after `timeoutMs`.
   */
  nextRequest(matches: (request: RecordedRequest) => boolean, timeoutMs: number): Promise<RecordedRequest> {
    return new Promise((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        this.requestWaiters.delete(waiter);
      };
      const waiter = {
        matches,
        arrived: (request: RecordedRequest) => (settle(), resolve(request)),
        fail: (error: Error) => (settle(), reject(error)),
      };
      const timer = setTimeout(() => waiter.fail(new Error(`no matching request reached the simulator within ${timeoutMs} ms`)), timeoutMs);
      this.requestWaiters.add(waiter);
    });
  }

  // ---- HTTP --------------------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://simulator');
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
      const query = Object.fromEntries(url.searchParams);
      const method = req.method ?? 'GET';
      const body = parseBody(await readBody(req), req.headers['content-type']);
      if (!path.startsWith('/_sim/')) {
        const request = { method, path, query, body, headers: req.headers, receivedAt: new Date(), receivedHr: performance.now() };
        this.requests.push(request);
        for (const waiter of this.requestWaiters) if (waiter.matches(request)) waiter.arrived(request);
      }

      const found = matchRoute(this.routes, method, path);
      if (found === undefined) throw new KiteApiError(404, 'GeneralException', 'Route not found');
      if (found === 'method') throw new KiteApiError(405, 'GeneralException', 'Method not allowed');
      if ((found.route as SimRoute).authenticated) this.authenticate(req);

      const data = await found.route.handler({ params: found.params, query, body, req, res });
      if (this.bookReadGate && method === 'GET' && (path === '/orders' || path === '/trades')) await this.bookReadGate;
      if (data !== RESPONDED) sendJson(res, 200, { status: 'success', data });
    } catch (error) {
      if (error instanceof KiteApiError) return sendJson(res, error.httpStatus, error.toEnvelope());
      const message = error instanceof Error ? error.message : String(error);
      this.options.log(`request failed: ${message}`);
      sendJson(res, 500, new KiteApiError(500, 'GeneralException', message).toEnvelope());
    }
  }

  private authenticate(req: IncomingMessage): void {
    if (req.headers['x-kite-version'] !== '3') throw inputError('Invalid or missing `X-Kite-Version` header. Set it to 3.');
    const match = /^token ([^:\s]+):(\S+)$/.exec(req.headers.authorization ?? '');
    if (!match || match[1] !== this.options.apiKey || !this.accessTokens.has(match[2])) throw tokenError();
  }

  private buildRoutes(): SimRoute[] {
    const api = (method: string, path: string, handler: Handler): SimRoute => ({ ...route(method, path, handler), authenticated: true });
    const open = (method: string, path: string, handler: Handler): SimRoute => ({ ...route(method, path, handler), authenticated: false });
    const routes: SimRoute[] = [
      open('GET', '/connect/login', (ctx) => this.login(ctx)),
      open('POST', '/session/token', (ctx) => this.createSession(ctx.body)),
      open('DELETE', '/session/token', (ctx) => this.deleteSession(ctx.query)),
      api('GET', '/user/profile', () => this.profile()),
      api('GET', '/orders', () => this.readOrderBook()),
      api('POST', '/orders/:variety', (ctx) => this.placeOrder(ctx)),
      api('GET', '/orders/:order_id', ({ params }) => (this.visible(params.order_id) && this.book.history(params.order_id)) || throwNotFound()),
      api('GET', '/orders/:order_id/trades', ({ params }) =>
        this.book.has(params.order_id) && this.visible(params.order_id) ? this.book.trades(params.order_id) : throwNotFound(),
      ),
      api('PUT', '/orders/:variety/:order_id', ({ params, body }) => {
        this.orderEntry.checkModify(params.order_id, body);
        this.publish(this.book.modify(params.order_id, parseModifyParams(body)));
        return { order_id: params.order_id };
      }),
      api('DELETE', '/orders/:variety/:order_id', ({ params }) => {
        this.publish(this.book.cancel(params.order_id));
        return { order_id: params.order_id };
      }),
      api('GET', '/trades', () => this.book.trades().filter((trade) => this.visible(trade.order_id))),
      ...this.portfolioRoutes(api),
    ];
    if (this.options.controlApi) routes.push(...this.controlRoutes(open));
    return routes;
  }

  /** /_sim/*: drive a standalone simulator with curl. Plain errors from control methods become 400s. */
  private controlRoutes(open: (method: string, path: string, handler: Handler) => SimRoute): SimRoute[] {
    const control = (method: string, path: string, handler: Handler): SimRoute =>
      open(method, path, (ctx) => {
        try {
          return handler(ctx);
        } catch (error) {
          if (error instanceof KiteApiError) throw error;
          throw inputError(error instanceof Error ? error.message : String(error));
        }
      });
    return [
      control('GET', '/_sim/state', () => ({
        prices: Object.fromEntries(this.walk.symbols().map((symbol) => [symbol, this.walk.price(symbol)])),
        postback_url: this.postbacks.getUrl() ?? null,
        postback_stats: this.postbackStats,
        postback_faults: this.getPostbackFaults(),
        placement_fault: this.placementFault ?? null,
        gtt_placement_fault: this.gttPlacementFault ?? null,
        order_book_fault: this.orderBookFault ?? null,
        order_visibility_lag_ms: this.visibilityLagMs,
      })),
      control('POST', '/_sim/price', ({ body }) => {
        if (!body.tradingsymbol) throw inputError('Missing `tradingsymbol`.');
        return { price: this.setPrice(body.tradingsymbol, Number(body.price)) };
      }),
      control('POST', '/_sim/tick', ({ body }) => {
        this.tick(body.n ? Number(body.n) : 1);
        return true;
      }),
      control('POST', '/_sim/orders/:order_id/fill', ({ params, body }) =>
        this.fillOrder(params.order_id, Number(body.quantity), body.price ? Number(body.price) : undefined),
      ),
      control('POST', '/_sim/orders/:order_id/reject', ({ params, body }) => this.rejectOrder(params.order_id, body.message ?? 'Rejected by simulator')),
      control('POST', '/_sim/request_token', ({ body }) => ({ request_token: this.issueRequestToken(body.user_id || undefined) })),
      control('POST', '/_sim/postback_url', ({ body }) => {
        this.setPostbackUrl(body.url || undefined);
        return true;
      }),
      control('POST', '/_sim/postback_faults', ({ body }) => {
        this.setPostbackFaults(coerceFields(body));
        return this.getPostbackFaults();
      }),
      control('POST', '/_sim/placement_fault', ({ body }) => {
        this.setPlacementFault(coerceFields(body) as unknown as PlacementFault);
        return this.placementFault ?? null;
      }),
      control('POST', '/_sim/gtt_placement_fault', ({ body }) => {
        this.setGttPlacementFault(coerceFields(body) as unknown as PlacementFault);
        return this.gttPlacementFault ?? null;
      }),
      control('POST', '/_sim/gtt/:trigger_id/status', ({ params, body }) =>
        this.setGttStatus(Number(params.trigger_id), body.status as Parameters<KiteSimulator['setGttStatus']>[1]),
      ),
      /** body.slices: a comma list of 0-based slice indexes, e.g. "1,3". */
      control('POST', '/_sim/autoslice_failures', ({ body }) => {
        this.failNextAutoslices((body.slices ?? '').split(',').filter(Boolean).map(Number));
        return true;
      }),
      control('POST', '/_sim/reject_next', ({ body }) => {
        this.rejectNextPlacements(Number(body.count ?? 1), body.message || undefined);
        return true;
      }),
      control('POST', '/_sim/release_held', () => ({ released: this.releaseHeldPlacements() })),
      control('POST', '/_sim/order_book_fault', ({ body }) => {
        const { count, status } = coerceFields(body) as { count?: number; status?: 502 | 503 | 504 };
        this.failNextOrderBookReads(count ?? 0, status);
        return this.orderBookFault ?? null;
      }),
      control('POST', '/_sim/visibility_lag', ({ body }) => {
        this.setOrderVisibilityLag(Number(body.ms));
        return { order_visibility_lag_ms: this.visibilityLagMs };
      }),
      control('POST', '/_sim/flush', async () => {
        await this.flushPostbacks();
        return this.postbackStats;
      }),
    ];
  }

  private placeOrder(ctx: RequestContext): unknown {
    this.checkRateLimit();
    const fault = this.takePlacementFault();
    // A 429 is refused at the door: it never creates the order.
    if (fault && (!fault.createOrder || (fault.kind === 'error' && fault.status === 429))) return this.failPlacement(fault, ctx.res);
    const { data, events } = this.orderEntry.place(ctx.params.variety, ctx.body);
    const now = this.options.now().getTime();
    for (const child of 'children' in data ? data.children : [data]) if ('order_id' in child) this.placedAt.set(child.order_id, now);
    this.publish(events);
    return fault ? this.failPlacement(fault, ctx.res) : data;
  }

  /** GTTs, positions and the instrument list: Kite's shapes, see gtt-book.ts, positions.ts and instruments.ts. */
  private portfolioRoutes(api: (method: string, path: string, handler: Handler) => SimRoute): SimRoute[] {
    const triggerId = (params: RouteParams): number => {
      const id = Number(params.trigger_id);
      if (!Number.isSafeInteger(id) || id <= 0) throw inputError('Invalid `trigger_id`.');
      return id;
    };
    const gttInput = (body: FormFields) => parseGttParams(body, { allowMis: this.options.gttAllowMis });
    return [
      api('GET', '/gtt/triggers', () => this.gtts.list()),
      api('POST', '/gtt/triggers', ({ body, res }) => {
        const fault = this.gttPlacementFault;
        if (fault && --fault.count <= 0) this.gttPlacementFault = undefined;
        if (fault && (!fault.createOrder || (fault.kind === 'error' && fault.status === 429))) return this.failPlacement(fault, res);
        const triggerId = this.gtts.place(gttInput(body));
        return fault ? this.failPlacement(fault, res) : { trigger_id: triggerId };
      }),
      api('GET', '/gtt/triggers/:trigger_id', ({ params }) => this.gtts.get(triggerId(params))),
      api('PUT', '/gtt/triggers/:trigger_id', ({ params, body }) => ({ trigger_id: this.gtts.modify(triggerId(params), gttInput(body)) })),
      api('DELETE', '/gtt/triggers/:trigger_id', ({ params }) => ({ trigger_id: this.gtts.delete(triggerId(params)) })),
      api('GET', '/portfolio/positions', () => this.getPositions()),
      api('PUT', '/portfolio/positions', () => {
        throw inputError('Position conversion (PUT /portfolio/positions) is not supported by the simulator.');
      }),
      api('GET', '/instruments', ({ req, res }) => {
        sendCsv(req, res, instrumentsCsv(this.instruments.all()));
        return RESPONDED;
      }),
      api('GET', '/instruments/:exchange', ({ params, req, res }) => {
        if (!(EXCHANGES as readonly string[]).includes(params.exchange)) throw inputError('Invalid `exchange`.');
        sendCsv(req, res, instrumentsCsv(this.instruments.forExchange(params.exchange)));
        return RESPONDED;
      }),
    ];
  }

  /** Fire the GTTs the last price has reached; their orders' postbacks follow options.gttPostbacks. */
  private fireGtts(tradingsymbol?: string): void {
    const { events, orderIds } = fireDueTriggers(this.gtts, this.book, tradingsymbol);
    for (const orderId of orderIds) {
      this.gttOrderIds.add(orderId);
      this.options.log(`GTT fired order ${orderId}${this.options.gttPostbacks ? '' : ' (no postbacks: SIM_GTT_POSTBACKS is off)'}`);
    }
    this.publish(events);
  }

  private takePlacementFault(): Required<PlacementFault> | undefined {
    const fault = this.placementFault;
    if (!fault) return undefined;
    if (fault.skip > 0) {
      fault.skip--;
      return undefined;
    }
    if (--fault.count <= 0) this.placementFault = undefined;
    return fault;
  }

  private failPlacement(fault: Required<PlacementFault>, res: ServerResponse): typeof RESPONDED {
    if (fault.kind === 'empty') {
      res.writeHead(502, { 'Content-Length': 0 }).end();
      return RESPONDED;
    }
    if (fault.kind === 'garbage') {
      const page = '<html><body>upstream hiccup</body></html>';
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(page) }).end(page);
      return RESPONDED;
    }
    if (fault.kind === 'error') {
      if (fault.status !== 400) throw placementFailure(fault.status);
      sendJson(res, 400, ORDER_REQUEST_TIMED_OUT);
      return RESPONDED;
    }
    // Hold the request without answering; by the time we give up with a 504 the client has long timed out.
    const answer = () => {
      clearTimeout(timer);
      this.heldRequests.delete(timer);
      sendJson(res, 504, placementFailure(504).toEnvelope());
    };
    const timer = setTimeout(answer, fault.holdMs);
    timer.unref();
    this.heldRequests.set(timer, answer);
    return RESPONDED;
  }

  /** GET /orders: the book as the API shows it (minus orders still propagating), or the injected failure. */
  private readOrderBook(): SimulatedOrder[] {
    const fault = this.orderBookFault;
    if (fault) {
      if (--fault.count <= 0) this.orderBookFault = undefined;
      throw placementFailure(fault.status);
    }
    return this.book.list().filter((row) => this.visible(row.order_id));
  }

  private visible(orderId: string): boolean {
    const placed = this.placedAt.get(orderId);
    return this.visibilityLagMs <= 0 || placed === undefined || this.options.now().getTime() - placed >= this.visibilityLagMs;
  }

  private checkRateLimit(): void {
    const limit = this.options.orderRateLimitPerSecond;
    if (!(limit > 0)) return;
    const now = Date.now();
    this.recentPlacements = this.recentPlacements.filter((at) => now - at < 1000);
    if (this.recentPlacements.length >= limit) throw new KiteApiError(429, 'NetworkException', 'Too many requests');
    this.recentPlacements.push(now);
  }

  /** Turn book events into postbacks; OPEN / TRIGGER PENDING only when postbackOnOpen is set. */
  private publish(events: BookEvent[]): void {
    const { userId, appId, apiSecret, postbackOnOpen } = this.options;
    for (const event of events) {
      this.options.log(`order ${event.order.order_id} ${event.kind}${event.order.status_message ? `: ${event.order.status_message}` : ''}`);
      if (!postbackOnOpen && (event.kind === 'OPEN' || event.kind === 'TRIGGER PENDING')) continue;
      const postback = toPostback(event.order, event.kind, { userId, appId, apiSecret });
      if (this.options.gttPostbacks || !this.gttOrderIds.has(event.order.order_id)) this.postbacks.send(postback);
      // The WebSocket carries the same updates, independently of postback faults (drop postbacks, keep the stream).
      this.orderStream.broadcast(postback as unknown as Record<string, unknown>);
    }
  }

  // ---- login and session -------------------------------------------------------------------------------------------

  /** Stand-in for kite.zerodha.com/connect/login: the "user" logs in at once and is sent to the redirect URL. */
  private login({ query, res }: RequestContext): typeof RESPONDED {
    if (query.api_key !== this.options.apiKey) throw inputError('Invalid `api_key`.');
    const target = query.redirect_url || this.options.redirectUrl;
    if (!target) throw inputError('No redirect URL: pass redirect_url or configure redirectUrl.');
    let redirect: URL;
    try {
      redirect = new URL(target);
    } catch {
      throw inputError('Invalid `redirect_url`.');
    }
    // redirect_params (URL-encoded) are echoed back to the app, as Kite does.
    for (const [key, value] of new URLSearchParams(query.redirect_params ?? '')) redirect.searchParams.set(key, value);
    redirect.searchParams.set('request_token', this.issueRequestToken());
    redirect.searchParams.set('action', 'login');
    redirect.searchParams.set('type', 'login');
    redirect.searchParams.set('status', 'success');
    res.writeHead(302, { Location: redirect.toString(), 'Content-Length': 0 });
    res.end();
    return RESPONDED;
  }

  private createSession(body: FormFields): unknown {
    for (const key of ['api_key', 'request_token', 'checksum']) if (!body[key]) throw inputError(`Missing \`${key}\`.`);
    const { apiKey, apiSecret } = this.options;
    if (body.api_key !== apiKey) throw tokenError('Invalid `api_key`.');
    if (!hexDigestsEqual(sessionChecksum(apiKey, body.request_token, apiSecret), body.checksum.toLowerCase())) {
      throw tokenError('Invalid `checksum`.');
    }
    const userId = this.requestTokens.get(body.request_token);
    if (!userId || !this.requestTokens.delete(body.request_token)) throw tokenError('Token is invalid or has expired.');
    const accessToken = token();
    this.accessTokens.add(accessToken);
    return {
      ...this.profile(),
      user_id: userId,
      avatar_url: null,
      api_key: apiKey,
      access_token: accessToken,
      public_token: token(),
      enctoken: token(),
      refresh_token: '',
      silo: '',
      login_time: formatIst(this.options.now()),
    };
  }

  private deleteSession(query: FormFields): boolean {
    if (query.api_key !== this.options.apiKey) throw inputError('Invalid `api_key`.');
    if (query.access_token) this.accessTokens.delete(query.access_token);
    return true;
  }

  private profile(): Record<string, unknown> {
    const { userId, userName, email } = this.options;
    return {
      user_id: userId,
      user_type: 'individual',
      email,
      user_name: userName,
      user_shortname: userName.split(' ')[0],
      broker: 'ZERODHA',
      exchanges: ['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD', 'MCX', 'MF'],
      products: ['CNC', 'NRML', 'MIS', 'BO', 'CO'],
      order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
      avatar_url: null,
      meta: { demat_consent: 'physical' },
    };
  }
}

function throwNotFound(): never {
  throw orderNotFound();
}

/** Control bodies arrive as strings: turn "true"/"false" and numerals back into their types. */
function coerceFields(body: FormFields): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body).map(([key, value]): [string, unknown] => {
      if (value === 'true' || value === 'false') return [key, value === 'true'];
      if (value.trim() !== '' && Number.isFinite(Number(value))) return [key, Number(value)];
      return [key, value];
    }),
  );
}
