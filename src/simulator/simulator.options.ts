import { DEFAULT_AUTOSLICE_MAX_SLICES, DEFAULT_FREEZE_LIMITS, FreezeLimits } from './instrument-rules';
import { NO_POSTBACK_FAULTS, PostbackFaults } from './postback-sender';

/**
 * A failure injected into upcoming POST /orders/:variety requests.
 * - 'error': an HTTP error (see `status`);
 * - 'timeout': hold the request past the client's timeout (or until releaseHeldPlacements()), then answer 504;
 * - 'empty': 502 with no body at all (a gateway in front of the API);
 * - 'garbage': 200 with an HTML body, which kiteconnect resolves (not rejects) as a DataException.
 */
export interface PlacementFault {
  kind: 'error' | 'timeout' | 'empty' | 'garbage';
  /** How many upcoming placement requests it hits. */
  count: number;
  /**
   * For 'error': 500 (GeneralException), 502/503/504 (NetworkException), 429 (NetworkException "Too many requests":
   * never creates the order), or 400 "Order request timed out…" without error_type (a user-reported Kite answer whose
   * order appeared seconds later). Default 503.
   */
  status?: 400 | 429 | 500 | 502 | 503 | 504;
  /** Create the order in the book before failing: the "did my order go through?" case. Default false. */
  createOrder?: boolean;
  /** For 'timeout': how long to hold; default 10 s, beyond kiteconnect's default 7 s timeout. */
  holdMs?: number;
  /** Let this many placements through unharmed first (e.g. hit the second slice of a leg). Default 0. */
  skip?: number;
}

export interface SimulatorOptions {
  /** Listen address; port 0 picks a free port (read it back from `sim.url`). */
  host: string;
  port: number;

  apiKey: string;
  apiSecret: string;
  /** An access token valid from the start, so a client can skip the login flow. */
  accessToken: string;
  userId: string;
  userName: string;
  email: string;
  /** app_id in postbacks. */
  appId: number;
  /** Where GET /connect/login sends the browser when the request has no redirect_url. */
  redirectUrl?: string;

  postbackUrl?: string;
  /** Also post OPEN / TRIGGER PENDING (Kite documents only COMPLETE, CANCELLED, REJECTED and UPDATE). */
  postbackOnOpen: boolean;
  postbackFaults: Partial<PostbackFaults>;
  postbackRetries: number;
  postbackRetryDelayMs: number;
  postbackTimeoutMs: number;

  /** Seeds the price walk and every random fault. */
  seed: number;
  tickSize: number;
  /** Largest move per tick, relative to the price (0.001 = 0.1%). */
  volatility: number;
  startPrices: Record<string, number>;
  /** instrument_token per tradingsymbol; unknown symbols get a stable token derived from the name. */
  instrumentTokens: Record<string, number>;
  /** Advance the price walk on a timer (paper mode); 0 = only on tick(). */
  autoTickMs: number;

  /** Fill orders in this many slices, one per matching pass (placement, tick, setPrice). */
  partialFillSteps: number;
  /** RMS rejects (after accepting) orders above this quantity. */
  maxQuantity: number;
  /** RMS rejects (after accepting) orders in these tradingsymbols. */
  rejectSymbols: string[];
  maxModifications: number;
  /** Refuse MARKET/SL-M without market_protection, as Kite does since 2026-04. Off by default. */
  requireMarketProtection: boolean;
  /** Answer 429 above this many placements in any rolling second; 0 = no limit (Kite: 10). */
  orderRateLimitPerSecond: number;
  /**
   * A new order stays out of GET /orders, its history and trades for this long (Kite's OMS lags while an order
   * propagates: 8 s and ~90 s have been reported). Postbacks and the WebSocket are not delayed. 0 = visible at once.
   */
  orderVisibilityLagMs: number;
  placementFault?: PlacementFault;

  /**
   * Freeze quantity per underlying for listed F&O instruments (merged over the shipped table, see instrument-rules.ts).
   * Orders above the largest lot multiple within it are refused; `autoslice=true` slices them.
   */
  freezeLimits: FreezeLimits;
  /** Kite caps autoslice at 10 slices (since 2026-04-01). */
  autosliceMaxSlices: number;
  /**
   * Post postbacks for orders a GTT fired. Off by default: neither Kite's docs nor its staff say whether it does, so
   * an engine tested here must not depend on them. Their WebSocket order updates are always sent.
   */
  gttPostbacks: boolean;
  /** Active GTTs allowed per account (Kite: 250 per its support pages). */
  gttMaxActive: number;
  /** A GTT with a trigger closer than this (%) to the last price is created `disabled`, as Kite does below 0.25%. */
  gttMinTriggerDistancePct: number;
  /** Accept MIS in GTT orders (Kite documents only CNC and NRML). */
  gttAllowMis: boolean;

  /** Serve the /_sim/* control routes (prices, fills, faults) for driving a standalone simulator. */
  controlApi: boolean;
  /** Clock, for tests that want fixed timestamps. */
  now: () => Date;
  log: (message: string) => void;
}

/** Tokens of the instruments that appear in Kite's mocks, so rows look familiar. */
const KNOWN_INSTRUMENT_TOKENS: Record<string, number> = {
  SBIN: 779521,
  IOC: 415745,
  TATASTEEL: 895745,
  BHEL: 112129,
  INFY: 408065,
  RELIANCE: 738561,
};

export const DEFAULT_SIMULATOR_OPTIONS: SimulatorOptions = {
  host: '127.0.0.1',
  port: 0,
  apiKey: 'sim_api_key',
  apiSecret: 'sim_api_secret',
  accessToken: 'sim_access_token',
  userId: 'AB1234',
  userName: 'Paper Trader',
  email: 'paper.trader@example.com',
  appId: 1234,
  postbackOnOpen: false,
  postbackFaults: {},
  postbackRetries: 0,
  postbackRetryDelayMs: 500,
  postbackTimeoutMs: 5000,
  seed: 1,
  tickSize: 0.05,
  volatility: 0.001,
  startPrices: {},
  instrumentTokens: {},
  autoTickMs: 0,
  partialFillSteps: 1,
  maxQuantity: 10_000,
  rejectSymbols: [],
  maxModifications: 25,
  requireMarketProtection: false,
  orderRateLimitPerSecond: 0,
  orderVisibilityLagMs: 0,
  freezeLimits: DEFAULT_FREEZE_LIMITS,
  autosliceMaxSlices: DEFAULT_AUTOSLICE_MAX_SLICES,
  gttPostbacks: false,
  gttMaxActive: 250,
  gttMinTriggerDistancePct: 0.25,
  gttAllowMis: false,
  controlApi: true,
  now: () => new Date(),
  log: () => undefined,
};

export function resolveSimulatorOptions(options: Partial<SimulatorOptions> = {}): SimulatorOptions {
  const resolved: SimulatorOptions = {
    ...DEFAULT_SIMULATOR_OPTIONS,
    ...stripUndefined(options),
    postbackFaults: { ...NO_POSTBACK_FAULTS, ...options.postbackFaults },
    instrumentTokens: { ...KNOWN_INSTRUMENT_TOKENS, ...options.instrumentTokens },
    freezeLimits: { ...DEFAULT_FREEZE_LIMITS, ...options.freezeLimits },
  };
  if (!Number.isInteger(resolved.partialFillSteps) || resolved.partialFillSteps < 1) throw new Error('partialFillSteps must be an integer >= 1');
  if (!(resolved.tickSize > 0)) throw new Error('tickSize must be > 0');
  return resolved;
}

/**
 * Options for the standalone simulator from SIM_* variables; unset variables are left out so defaults apply.
 * SIM_START_PRICES / SIM_FREEZE_LIMITS / SIM_REJECT_SYMBOLS are comma lists ("SBIN=470,NIFTY 50=26000" /
 * "NIFTY=1800,BANKNIFTY=600" / "YESBANK,IDEA").
 */
export function simulatorOptionsFromEnv(env: NodeJS.ProcessEnv): Partial<SimulatorOptions> {
  const text = (key: string): string | undefined => (env[key]?.trim() ? env[key].trim() : undefined);
  const number = (key: string): number | undefined => {
    const value = text(key);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new Error(`${key} must be a number, got "${value}"`);
    return parsed;
  };
  const flag = (key: string): boolean | undefined => {
    const value = text(key)?.toLowerCase();
    if (value === undefined) return undefined;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    throw new Error(`${key} must be true or false, got "${value}"`);
  };
  const list = (key: string): string[] | undefined =>
    text(key)
      ?.split(',')
      .map((item) => item.trim())
      .filter(Boolean);

  /** "KEY=number,…" → a record; every number must be positive. */
  const numbersByName = (key: string, example: string): Record<string, number> | undefined => {
    const pairs = list(key)?.map((pair) => {
      const [name, value] = pair.split('=').map((part) => part.trim());
      if (!name || !(Number(value) > 0)) throw new Error(`${key} entries look like ${example}, got "${pair}"`);
      return [name, Number(value)] as const;
    });
    return pairs && Object.fromEntries(pairs);
  };

  return stripUndefined({
    host: text('SIM_HOST'),
    port: number('SIM_PORT'),
    apiKey: text('SIM_API_KEY'),
    apiSecret: text('SIM_API_SECRET'),
    accessToken: text('SIM_ACCESS_TOKEN'),
    userId: text('SIM_USER_ID'),
    redirectUrl: text('SIM_REDIRECT_URL'),
    postbackUrl: text('SIM_POSTBACK_URL'),
    postbackOnOpen: flag('SIM_POSTBACK_ON_OPEN'),
    seed: number('SIM_SEED'),
    autoTickMs: number('SIM_AUTO_TICK_MS'),
    partialFillSteps: number('SIM_PARTIAL_FILL_STEPS'),
    maxQuantity: number('SIM_MAX_QUANTITY'),
    rejectSymbols: list('SIM_REJECT_SYMBOLS'),
    requireMarketProtection: flag('SIM_REQUIRE_MARKET_PROTECTION'),
    orderRateLimitPerSecond: number('SIM_ORDER_RATE_LIMIT'),
    orderVisibilityLagMs: number('SIM_ORDER_VISIBILITY_LAG_MS'),
    startPrices: numbersByName('SIM_START_PRICES', 'SYMBOL=price'),
    freezeLimits: numbersByName('SIM_FREEZE_LIMITS', 'UNDERLYING=quantity'),
    autosliceMaxSlices: number('SIM_AUTOSLICE_MAX_SLICES'),
    gttPostbacks: flag('SIM_GTT_POSTBACKS'),
    gttMaxActive: number('SIM_GTT_MAX_ACTIVE'),
    gttMinTriggerDistancePct: number('SIM_GTT_MIN_TRIGGER_DISTANCE_PCT'),
    gttAllowMis: flag('SIM_GTT_ALLOW_MIS'),
  });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
