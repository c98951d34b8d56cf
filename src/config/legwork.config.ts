import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EnvironmentDto } from './environment.dto';
import { isSecretVariable, validationProblem } from './validation-messages';

/** Paper mode needs *a* secret so its simulator can sign postbacks; it guards nothing real. */
export const PAPER_API_SECRET = 'legwork-paper-secret';
export const KITE_DEFAULT_ROOT = 'https://api.kite.trade';
/**
 * Kite documents no bound on how late an order whose placement answer was unclear may appear; users report 8 s, and
 * ~83 s in "PUT ORDER REQ RECEIVED". Two minutes covers the longest report with room, and evidence (a postback, the
 * stream, the order book) settles a leg sooner whenever it comes.
 */
export const DEFAULT_SETTLE_WINDOW_MS = 120_000;
/**
 * Pacing margin: 10 orders leave at least 1.25 s apart, so arrivals at Kite's door may bunch by up to 250 ms (network,
 * a proxy, a slow disk write before the call) without 11 landing in one second. Costs 20% of Kite's 10/s.
 */
export const DEFAULT_PACING_MARGIN_MS = 250;

/** The typed, validated configuration every service reads (through ConfigService<LegworkConfig, true>). */
export interface LegworkConfig {
  mode: 'paper' | 'live';
  /** Paper mode: run the built-in Kite simulator in-process (default true). */
  paperSimulator: boolean;
  http: { port: number; host: string };
  postback: { path: string; bodyLimit: string; allowUserIdChecksumVariant: boolean };
  kite: {
    apiKey: string | undefined;
    apiSecret: string;
    accessToken: string | undefined;
    rootUrl: string | undefined;
    loginUrl: string;
    /** KITE_USER_ID: the only account whose login is accepted (unset: the first user that logged in). */
    userId: string | undefined;
    /** ALGO_ID: the exchange-issued algo id sent as `algo_id` with every order legwork places. */
    algoId: string | undefined;
  };
  orderStream: { enabled: boolean; url: string };
  reconcile: { onBoot: boolean; intervalSeconds: number; hours: 'market' | 'always' };
  /** `url`: PostgreSQL (DATABASE_URL); absent: the SQLite file at `path`. `leaderLeaseMs`: see src/leadership. */
  database: { path: string; synchronous: 'FULL' | 'NORMAL'; url?: string; leaderLeaseMs: number };
  /** The instrument master and freeze quantities; see src/instruments. */
  instruments: { autoload: boolean; refreshAt: string; exchanges: string[]; freezeLimits: string | undefined; freezeLimitsFile: string | undefined };
  strategies: {
    dir: string;
    enabled: 'all' | 'none' | string[];
    handlerTimeoutMs: number;
    /** Settings strategies read by name (e.g. TWO_LEG_TARGET_POINTS): the raw environment, validated by each strategy. */
    settings: Record<string, string | undefined>;
  };
  broker: {
    placeMaxAttempts: number;
    retryDelayMs: number;
    recoveryIntervalSeconds: number;
    groupFillTimeoutSeconds: number;
    groupUnwindAttempts: number;
    settleWindowMs: number;
    claimLeaseMs: number;
    cancelDuplicates: boolean;
    /** AUTOSLICE: whether a leg above the freeze limit may go as one Kite autoslice request (see broker/slice-planner.ts). */
    autoslice: 'auto' | 'off';
  };
  rails: {
    ordersPerSecond: number;
    ordersPerMinute: number;
    pacingMarginMs: number;
    ordersPerDay: number;
    modificationsPerOrder: number;
    marketProtectionDefault: number | undefined;
    token: string | undefined;
  };
  notify: { webhookUrl: string | undefined; telegram: { botToken: string; chatId: string; apiUrl: string; webhookSecret: string | undefined } | undefined };
  logging: { level: string; format: 'pretty' | 'json' };
  health: { maxInboxBacklog: number };
  /** The read-only trade-log page and API; see src/access/access-areas.ts. */
  tradeLog: { token: string | undefined };
  /** GTTs legwork placed: how often they are read back from Kite, and whether the kill switch's cancel-open deletes them. */
  gtt: { syncIntervalSeconds: number; cancelOpenDeletes: boolean };
  /** Days the market is closed besides weekends (MARKET_HOLIDAYS and MARKET_HOLIDAYS_FILE), yyyy-mm-dd, sorted. */
  market: { holidays: string[] };
  /** SQUARE_OFF_AT (HH:MM IST) for every strategy; each may override it with <STRATEGY>_SQUARE_OFF_AT. */
  squareOff: { at: string | undefined };
  positions: { checkIntervalSeconds: number };
}

export class ConfigValidationError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Validate raw environment variables and build the typed config. Throws naming each bad variable. */
export function loadLegworkConfig(raw: Record<string, string | undefined>): LegworkConfig {
  const env = plainToInstance(EnvironmentDto, { ...raw }, { enableImplicitConversion: false });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  const problems = errors.flatMap((error) =>
    Object.values(error.constraints ?? {}).map((rule) => validationProblem(error.property, rule, raw[error.property])),
  );

  const mode = env.LEGWORK_MODE ?? (env.KITE_API_KEY && env.KITE_ACCESS_TOKEN ? 'live' : 'paper');
  if (mode === 'live') {
    for (const name of ['KITE_API_KEY', 'KITE_API_SECRET'] as const) {
      if (!env[name]) problems.push(`${name} is required when LEGWORK_MODE is live`);
    }
  }
  if (env.RAILS_TOKEN && env.RAILS_TOKEN === env.TRADE_LOG_TOKEN) {
    problems.push('RAILS_TOKEN must differ from TRADE_LOG_TOKEN: whoever may read trades must not be able to stop or re-arm trading');
  }
  const holidays = marketHolidays(env.MARKET_HOLIDAYS, env.MARKET_HOLIDAYS_FILE, problems);
  if (problems.length > 0) throw new ConfigValidationError(problems);

  const strategies = (env.STRATEGIES ?? 'all').trim();
  return {
    mode,
    paperSimulator: mode === 'paper' && (env.PAPER_SIMULATOR ?? true),
    http: { port: env.PORT ?? 3000, host: env.HOST ?? '127.0.0.1' },
    postback: {
      path: env.POSTBACK_PATH ?? '/kite/postback',
      bodyLimit: env.POSTBACK_BODY_LIMIT ?? '64kb',
      allowUserIdChecksumVariant: env.KITE_CHECKSUM_ALLOW_USER_ID_VARIANT ?? false,
    },
    kite: {
      apiKey: env.KITE_API_KEY,
      apiSecret: env.KITE_API_SECRET ?? PAPER_API_SECRET,
      accessToken: env.KITE_ACCESS_TOKEN,
      rootUrl: env.KITE_ROOT_URL ?? (mode === 'live' ? KITE_DEFAULT_ROOT : undefined),
      loginUrl: env.KITE_LOGIN_URL ?? 'https://kite.zerodha.com/connect/login',
      userId: env.KITE_USER_ID?.toUpperCase(),
      algoId: env.ALGO_ID,
    },
    reconcile: { onBoot: env.RECONCILE_ON_BOOT ?? true, intervalSeconds: env.RECONCILE_INTERVAL_SECONDS ?? 0, hours: env.RECONCILE_HOURS ?? 'market' },
    orderStream: { enabled: env.KITE_WS_ORDER_UPDATES ?? mode === 'paper', url: env.KITE_WS_URL ?? 'wss://ws.kite.trade/' },
    database: {
      path: resolve(env.DATABASE_PATH ?? './data/legwork.sqlite'),
      synchronous: env.DATABASE_SYNCHRONOUS ?? 'FULL',
      url: env.DATABASE_URL,
      leaderLeaseMs: env.LEADER_LEASE_MS ?? 5000,
    },
    instruments: {
      autoload: env.INSTRUMENTS_AUTOLOAD ?? true,
      refreshAt: env.INSTRUMENTS_REFRESH_AT ?? '08:30',
      exchanges: (env.INSTRUMENTS_EXCHANGES ?? '')
        .split(',')
        .map((e) => e.trim().toUpperCase())
        .filter(Boolean),
      freezeLimits: env.FREEZE_LIMITS,
      freezeLimitsFile: env.FREEZE_LIMITS_FILE && resolve(env.FREEZE_LIMITS_FILE),
    },
    strategies: {
      dir: resolve(env.STRATEGIES_DIR ?? './strategies'),
      enabled:
        strategies === 'all' || strategies === 'none'
          ? strategies
          : strategies
              .split(',')
              .map((name) => name.trim())
              .filter(Boolean),
      handlerTimeoutMs: env.STRATEGY_TIMEOUT_MS ?? 10_000,
      // Everything but credentials: a strategy has no business reading secrets, and this object could end up in a log.
      settings: Object.fromEntries(Object.entries(raw).filter(([name]) => !isSecretVariable(name))),
    },
    broker: {
      placeMaxAttempts: env.LEG_PLACE_MAX_ATTEMPTS ?? 3,
      retryDelayMs: env.LEG_RETRY_DELAY_MS ?? 300,
      recoveryIntervalSeconds: env.LEG_RECOVERY_INTERVAL_SECONDS ?? 30,
      groupFillTimeoutSeconds: env.LEG_GROUP_FILL_TIMEOUT_SECONDS ?? 60,
      groupUnwindAttempts: env.LEG_GROUP_UNWIND_ATTEMPTS ?? 3,
      settleWindowMs: env.LEG_SETTLE_WINDOW_MS ?? DEFAULT_SETTLE_WINDOW_MS,
      claimLeaseMs: env.LEG_CLAIM_LEASE_MS ?? 30_000,
      cancelDuplicates: env.LEG_CANCEL_DUPLICATES ?? true,
      autoslice: env.AUTOSLICE ?? 'off',
    },
    rails: {
      ordersPerSecond: env.ORDERS_PER_SECOND ?? 10,
      ordersPerMinute: env.ORDERS_PER_MINUTE ?? 400,
      pacingMarginMs: env.ORDERS_PACING_MARGIN_MS ?? DEFAULT_PACING_MARGIN_MS,
      ordersPerDay: env.ORDERS_PER_DAY ?? 5000,
      modificationsPerOrder: env.MODIFICATIONS_PER_ORDER ?? 25,
      marketProtectionDefault: env.MARKET_PROTECTION_DEFAULT,
      token: env.RAILS_TOKEN,
    },
    notify: {
      webhookUrl: env.NOTIFY_WEBHOOK_URL,
      telegram:
        env.NOTIFY_TELEGRAM_BOT_TOKEN && env.NOTIFY_TELEGRAM_CHAT_ID
          ? {
              botToken: env.NOTIFY_TELEGRAM_BOT_TOKEN,
              chatId: env.NOTIFY_TELEGRAM_CHAT_ID,
              apiUrl: env.NOTIFY_TELEGRAM_API_URL ?? 'https://api.telegram.org',
              webhookSecret: env.NOTIFY_TELEGRAM_WEBHOOK_SECRET,
            }
          : undefined,
    },
    logging: { level: env.LOG_LEVEL ?? 'info', format: env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json') },
    health: { maxInboxBacklog: env.READY_MAX_INBOX_BACKLOG ?? 1000 },
    tradeLog: { token: env.TRADE_LOG_TOKEN },
    gtt: { syncIntervalSeconds: env.GTT_SYNC_INTERVAL_SECONDS ?? 30, cancelOpenDeletes: env.CANCEL_OPEN_DELETES_GTTS ?? true },
    market: { holidays },
    squareOff: { at: env.SQUARE_OFF_AT },
    positions: { checkIntervalSeconds: env.POSITIONS_CHECK_INTERVAL_SECONDS ?? 300 },
  };
}

const HOLIDAY = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date as yyyy-mm-dd (2026-02-30 is not). */
function isCalendarDate(text: string): boolean {
  return HOLIDAY.test(text) && new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) === text;
}

/**
 * MARKET_HOLIDAYS (comma-separated) and MARKET_HOLIDAYS_FILE (one date per line; the rest of a line, blank lines and
 * # comments ignored, so NSE's list can be pasted with its names) merged. A bad date or an unreadable file is a
 * configuration problem naming the variable: a square-off on a holiday, or none on a trading day, costs money.
 */
function marketHolidays(list: string | undefined, file: string | undefined, problems: string[]): string[] {
  const days = new Set<string>();
  for (const day of (list ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean)) {
    if (isCalendarDate(day)) days.add(day);
    else problems.push(`MARKET_HOLIDAYS has ${JSON.stringify(day)}, which is not a date (yyyy-mm-dd)`);
  }
  if (file) {
    let text: string;
    try {
      text = readFileSync(resolve(file), 'utf8');
    } catch (error) {
      problems.push(`MARKET_HOLIDAYS_FILE ${resolve(file)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      return [...days].sort();
    }
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.replace(/#.*/, '').trim();
      if (!line) return;
      const day = line.split(/[\s,;]+/)[0];
      if (isCalendarDate(day)) days.add(day);
      else problems.push(`MARKET_HOLIDAYS_FILE line ${i + 1} does not start with a date (yyyy-mm-dd): ${JSON.stringify(raw.trim())}`);
    });
  }
  return [...days].sort();
}
