import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy } from 'class-validator';
import { textOf } from '../common/text-of';

const toBoolean = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  const text = textOf(value).trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  return value; // left as-is so @IsBoolean reports it by name
};
const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(textOf(value).trim()) ? Number(value) : value;
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/**
 * A URL with one of these schemes that `new URL()` (what fetch and ws use) accepts, with a host. A looser check would
 * let through a value that fails later, inside a library whose error quotes the whole URL: with the access token
 * (order stream) or the bot token (Telegram) appended to it.
 */
const IsUrlWithScheme = (schemes: string[], message: string) =>
  ValidateBy({
    name: 'isUrlWithScheme',
    validator: {
      validate: (value: unknown) => {
        const text = String(value);
        if (/\s/.test(text) || !schemes.some((scheme) => text.startsWith(`${scheme}://`))) return false;
        try {
          return new URL(text).host !== '';
        } catch {
          return false;
        }
      },
      defaultMessage: () => message,
    },
  });

/** Kite's api key and access token are single words; a space or a quote is a copy-paste mistake. */
const KITE_CREDENTIAL = /^[A-Za-z0-9_-]+$/;

/** A time of day, HH:MM on the 24-hour clock. */
export const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Kite documents no format for `algo_id`; exchange-issued ids are short codes. Letters, digits, - and _ keep it safe in a form body and in logs. */
const ALGO_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Every environment variable legwork reads, validated once at start.
 * A missing or malformed value stops start-up with a message that names the variable.
 */
export class EnvironmentDto {
  /** paper (built-in simulator) or live (real Kite). Default: live when KITE_API_KEY and KITE_ACCESS_TOKEN are set. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['paper', 'live'])
  LEGWORK_MODE?: 'paper' | 'live';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  /** Interface to listen on. Loopback by default: expose it deliberately (tunnel, reverse proxy). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  HOST?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\/[A-Za-z0-9/_.-]*$/, { message: 'POSTBACK_PATH must be a URL path starting with /' })
  POSTBACK_PATH?: string;

  /** Largest postback body accepted, in the `bytes` syntax express understands (e.g. 64kb). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\d+(b|kb|mb)?$/i, { message: 'POSTBACK_BODY_LIMIT must look like 64kb, 1mb or 2048' })
  POSTBACK_BODY_LIMIT?: string;

  /** Required in live mode; paper mode signs with a built-in secret unless one is given. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(8, { message: 'KITE_API_SECRET must be at least 8 characters' })
  KITE_API_SECRET?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @Matches(KITE_CREDENTIAL, { message: 'KITE_API_KEY must be letters, digits, _ or - only (no spaces or quotes)' })
  KITE_API_KEY?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @Matches(KITE_CREDENTIAL, { message: 'KITE_ACCESS_TOKEN must be letters, digits, _ or - only (no spaces or quotes)' })
  KITE_ACCESS_TOKEN?: string;

  /** Base URL of the Kite API; paper mode points it at the simulator. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrlWithScheme(['http', 'https'], 'KITE_ROOT_URL must be an http(s) URL')
  KITE_ROOT_URL?: string;

  /** Also accept sha256(order_id + user_id + api_secret), a variant printed by some guides. Off by default. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  KITE_CHECKSUM_ALLOW_USER_ID_VARIANT?: boolean;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  DATABASE_PATH?: string;

  /** postgres://user:password@host:port/database: run on PostgreSQL (several instances may share it). Unset: SQLite at DATABASE_PATH. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL, e.g. postgres://legwork@127.0.0.1:5432/legwork' })
  DATABASE_URL?: string;

  /** PostgreSQL only: how long a leader's lease lasts; a standby takes over within it after the leader is lost (ms, default 5000). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  LEADER_LEASE_MS?: number;

  /** SQLite fsync policy. FULL survives power loss; NORMAL (WAL) survives process crashes only. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['FULL', 'NORMAL'])
  DATABASE_SYNCHRONOUS?: 'FULL' | 'NORMAL';

  /** Load Kite's instrument list at start when the stored one is older than today's, and every day at INSTRUMENTS_REFRESH_AT (default true). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  INSTRUMENTS_AUTOLOAD?: boolean;

  /** IST time from which today's instrument list is due (Kite generates it around 08:00). Default 08:30. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'INSTRUMENTS_REFRESH_AT must be a time of day as HH:MM (IST), e.g. 08:30' })
  INSTRUMENTS_REFRESH_AT?: string;

  /** Load only these exchanges' instruments (e.g. NSE,NFO); default: all, in one request. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\s*[A-Za-z]+\s*(,\s*[A-Za-z]+\s*)*$/, { message: 'INSTRUMENTS_EXCHANGES must be a comma-separated list of exchanges, e.g. NSE,NFO' })
  INSTRUMENTS_EXCHANGES?: string;

  /** Freeze quantities per underlying over the shipped table, e.g. NIFTY=1800,BANKNIFTY=600. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\s*[A-Za-z0-9&_-]+\s*=\s*[1-9]\d*\s*(,\s*[A-Za-z0-9&_-]+\s*=\s*[1-9]\d*\s*)*,?\s*$/, {
    message: 'FREEZE_LIMITS must look like NIFTY=1800,BANKNIFTY=600 (whole quantities above 0)',
  })
  FREEZE_LIMITS?: string;

  /** NSE's qtyfreeze.csv (columns SYMBOL, VOL_FRZ_QTY), over the shipped table; FREEZE_LIMITS wins over it. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  FREEZE_LIMITS_FILE?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  STRATEGIES_DIR?: string;

  /** Comma-separated strategy names to run, or "all" (default) or "none". */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[A-Za-z0-9_,\- ]+$/, { message: 'STRATEGIES must be "all", "none" or a comma-separated list of names' })
  STRATEGIES?: string;

  /** How long one strategy handler may run before it is reported as hung and the bus moves on. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  STRATEGY_TIMEOUT_MS?: number;

  /** trace | debug | info | warn | error | fatal */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])
  LOG_LEVEL?: string;

  /** pretty (default in a terminal) or json (default otherwise). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['pretty', 'json'])
  LOG_FORMAT?: 'pretty' | 'json';

  /** /health/ready reports not ready while more inbox entries than this wait to be processed. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  READY_MAX_INBOX_BACKLOG?: number;

  /** Paper mode starts the built-in Kite simulator unless this is off (e.g. to point KITE_ROOT_URL at your own). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  PAPER_SIMULATOR?: boolean;

  /** Also take order updates from Kite's WebSocket (KiteTicker order_update). Default: on in paper mode, off in live. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  KITE_WS_ORDER_UPDATES?: boolean;

  /** KiteTicker root URL (default wss://ws.kite.trade/; paper mode: the simulator's). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrlWithScheme(['ws', 'wss'], 'KITE_WS_URL must be a ws(s) URL')
  KITE_WS_URL?: string;

  /**
   * The Kite user (client id, e.g. AB1234) this engine trades for: a login by any other account is refused and never
   * replaces the session. Unset: the first user that logged in through /kite/login (stored in the trade log).
   */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[A-Za-z0-9]{2,16}$/, { message: 'KITE_USER_ID must be a Kite client id such as AB1234' })
  KITE_USER_ID?: string;

  /** Where GET /kite/login sends the browser (default Kite's; paper mode: the simulator's stand-in). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrlWithScheme(['http', 'https'], 'KITE_LOGIN_URL must be an http(s) URL')
  KITE_LOGIN_URL?: string;

  /** How many times a leg's placement is tried when Kite's answer is unclear (each retry only after the OMS shows no order with its tag). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  LEG_PLACE_MAX_ATTEMPTS?: number;

  /** Wait before asking the OMS about an unclear placement (multiplied by the attempt number). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  LEG_RETRY_DELAY_MS?: number;

  /** Settle legs left pending (unclear answer, OMS unreachable) every N seconds; 0 = only at start. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  LEG_RECOVERY_INTERVAL_SECONDS?: number;

  /** A leg group (ctx.placeGroup) whose protective legs are not all filled this long after placement unwinds. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LEG_GROUP_FILL_TIMEOUT_SECONDS?: number;

  /** How many reversing orders an unwinding leg group sends for one leg (rejected, or filled only in part) before it escalates. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  LEG_GROUP_UNWIND_ATTEMPTS?: number;

  /**
   * After an unclear answer, how long the order book must go on not showing the leg's tag before the leg counts as
   * not placed (and may be sent again with the same tag). Kite documents no bound; see README.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  LEG_SETTLE_WINDOW_MS?: number;

  /** How long a claim on a leg being sent keeps other instances (and recovery) away from it, renewed before each call. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  LEG_CLAIM_LEASE_MS?: number;

  /** A second live order carrying one leg's tag is cancelled (the alert goes out either way). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  LEG_CANCEL_DUPLICATES?: boolean;

  /**
   * A leg above the freeze limit: `off` (default) sends its slices as legwork's own orders, each with its own tag;
   * `auto` uses Kite's autoslice where Kite takes it (a regular order of at least twice the largest order, at most 10
   * slices). See README, "Slicing: which path when".
   */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['auto', 'off'])
  AUTOSLICE?: 'auto' | 'off';

  /** Alerts (rejections, failed legs) are POSTed as JSON to this URL. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrlWithScheme(['http', 'https'], 'NOTIFY_WEBHOOK_URL must be an http(s) URL')
  NOTIFY_WEBHOOK_URL?: string;

  /** Alerts also go to Telegram when both are set (Bot API sendMessage). The token is never logged. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @Matches(/^\d+:[A-Za-z0-9_-]+$/, {
    message: 'NOTIFY_TELEGRAM_BOT_TOKEN must look like <bot id>:<key> (digits, a colon, then letters, digits, _ or -), as @BotFather gives it',
  })
  NOTIFY_TELEGRAM_BOT_TOKEN?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  NOTIFY_TELEGRAM_CHAT_ID?: string;

  /**
   * Enables POST /rails/telegram, the webhook Telegram calls with messages to the bot (register it with setWebhook and
   * this secret_token): /kill <reason>, /kill! <reason> (also cancel open orders), /rearm, /status from the alert chat.
   */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(16, { message: 'NOTIFY_TELEGRAM_WEBHOOK_SECRET must be at least 16 characters' })
  @Matches(/^[A-Za-z0-9_-]{1,256}$/, {
    message: "NOTIFY_TELEGRAM_WEBHOOK_SECRET must be letters, digits, _ or - only, at most 256 (Telegram's rule for secret_token)",
  })
  NOTIFY_TELEGRAM_WEBHOOK_SECRET?: string;

  /** Telegram Bot API base URL (default https://api.telegram.org); tests point it at a local server. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrlWithScheme(['http', 'https'], 'NOTIFY_TELEGRAM_API_URL must be an http(s) URL')
  NOTIFY_TELEGRAM_API_URL?: string;

  /** Kite's order limits, shared by every strategy: orders are queued (FIFO) to stay within the per-second and per-minute ones. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ORDERS_PER_SECOND?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ORDERS_PER_MINUTE?: number;

  /** Extra time in each second of pacing, for the jitter between an order leaving and reaching Kite's door. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(5000)
  ORDERS_PACING_MARGIN_MS?: number;

  /** Placements past this many in an IST day are refused. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ORDERS_PER_DAY?: number;

  /** Modifications of one order past this many are refused. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  MODIFICATIONS_PER_ORDER?: number;

  /** Filled in on MARKET / SL-M orders that carry no market_protection (percent 0–100, or -1 for Kite's automatic). Unset: such orders are refused. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(-1)
  @Max(100)
  MARKET_PROTECTION_DEFAULT?: number;

  /** Token for /rails (kill switch over HTTP, usage): `Authorization: Bearer <token>`. Required when HOST is beyond loopback. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(16, { message: 'RAILS_TOKEN must be at least 16 characters' })
  RAILS_TOKEN?: string;

  /** Reconcile against Kite's order book at start (default true). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  RECONCILE_ON_BOOT?: boolean;

  /** Also reconcile every N seconds during market hours (09:00–15:45 IST, Mon–Fri); 0 = off (default). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RECONCILE_INTERVAL_SECONDS?: number;

  /** When the RECONCILE_INTERVAL_SECONDS timer runs: `market` (Mon–Fri 09:00–15:45 IST, default) or `always` (e.g. MCX evenings). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['market', 'always'])
  RECONCILE_HOURS?: 'market' | 'always';

  /**
   * Token for the trade-log page and API (/trades, /api/trade-log): `Authorization: Bearer <token>`, basic auth with
   * the token as password, or ?token= on the page. Required to see them when HOST is beyond loopback.
   */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(16, { message: 'TRADE_LOG_TOKEN must be at least 16 characters' })
  TRADE_LOG_TOKEN?: string;

  // ---- protection and the end of the day: GTTs, timed square-off, positions check, exchange algo id ----

  /** How often GTTs legwork placed are read back from Kite while any is live or unsettled (also at start, after a reconcile and on untagged orders). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(5)
  GTT_SYNC_INTERVAL_SECONDS?: number;

  /** The kill switch's cancel-open (HTTP, CLI, Telegram /kill!) also deletes the live GTTs legwork placed. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  CANCEL_OPEN_DELETES_GTTS?: boolean;

  /** IST time (HH:MM) at which every strategy's open orders and GTTs are cancelled and its open quantity flattened; a strategy's <STRATEGY>_SQUARE_OFF_AT overrides it. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(CLOCK_TIME, { message: 'SQUARE_OFF_AT must be an IST time of day as HH:MM (24-hour), e.g. 15:15' })
  SQUARE_OFF_AT?: string;

  /** Days the exchanges are closed besides weekends: comma-separated yyyy-mm-dd. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\s*\d{4}-\d{2}-\d{2}\s*(,\s*\d{4}-\d{2}-\d{2}\s*)*$/, {
    message: 'MARKET_HOLIDAYS must be comma-separated dates as yyyy-mm-dd, e.g. 2026-12-25,2027-01-26',
  })
  MARKET_HOLIDAYS?: string;

  /** A file of market holidays: one yyyy-mm-dd per line (anything after the date, blank lines and # comments are ignored). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  MARKET_HOLIDAYS_FILE?: string;

  /** Compare legwork's net quantity per instrument with Kite's positions this often during market hours; 0 = only on demand. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  POSITIONS_CHECK_INTERVAL_SECONDS?: number;

  /** The exchange-issued algo id (SEBI's retail-algo framework), sent as `algo_id` with every order legwork places. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(ALGO_ID, { message: 'ALGO_ID must be 1 to 32 letters, digits, - or _ (the id the exchange issued for your algo)' })
  ALGO_ID?: string;
}
