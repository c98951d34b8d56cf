import { formatIst } from '../market/ist-time';
import { roundToTick } from './price-walk';
import { hashString } from './seeded-random';

/** One row of Kite's instrument dump (GET /instruments), columns as in instruments_all.csv. */
export interface InstrumentRow {
  instrument_token: number;
  exchange_token: number;
  tradingsymbol: string;
  /** Company name for equities; the underlying (NIFTY, BANKNIFTY) for derivatives; the index name for indices. */
  name: string;
  last_price: number;
  /** "yyyy-mm-dd", or '' for equities and indices. */
  expiry: string;
  strike: number;
  tick_size: number;
  lot_size: number;
  instrument_type: 'EQ' | 'FUT' | 'CE' | 'PE';
  segment: string;
  exchange: string;
}

/** Kite's CSV header, in its order. */
export const INSTRUMENT_COLUMNS: ReadonlyArray<keyof InstrumentRow> = [
  'instrument_token',
  'exchange_token',
  'tradingsymbol',
  'name',
  'last_price',
  'expiry',
  'strike',
  'tick_size',
  'lot_size',
  'instrument_type',
  'segment',
  'exchange',
];

/** The float columns; written like Kite's dump ("23500.0", "0.05"). */
const FLOAT_COLUMNS = new Set<keyof InstrumentRow>(['last_price', 'strike', 'tick_size']);

/** instrument_token = exchange_token * 256 + this code (checked against the mocks: 779521 = 3045*256 + 1). */
const SEGMENT_CODES: Record<string, number> = { NSE: 1, NFO: 2, INDICES: 9 };

interface IndexSpec {
  /** Underlying as it appears in tradingsymbols and the `name` column. */
  underlying: string;
  /** The index's own row on NSE (segment INDICES), whose walk price centres the strikes. */
  indexSymbol: string;
  indexExchangeToken: number;
  defaultSpot: number;
  /**
   * Lot sizes from NSE circular FAOP70616 (2025-10-03; for Jan-2026 and later expiries): NIFTY 75 → 65,
   * BANKNIFTY 35 → 30. With NIFTY's freeze quantity of 1800 the largest order is 1755 = 27 lots of 65 (ICICI Direct FAQ).
   */
  lotSize: number;
  strikeStep: number;
  /** Annualised volatility for the premium model; only shapes the opening prices. */
  volatility: number;
  /** Weekly option expiries listed (besides the monthly ones); BANKNIFTY has had monthly options only since 2024-11. */
  weeklyExpiries: number;
  monthlyOptionExpiries: number;
}

const INDICES: readonly IndexSpec[] = [
  {
    underlying: 'NIFTY',
    indexSymbol: 'NIFTY 50',
    indexExchangeToken: 1001,
    defaultSpot: 26_000,
    lotSize: 65,
    strikeStep: 50,
    volatility: 0.12,
    weeklyExpiries: 2,
    monthlyOptionExpiries: 1,
  },
  {
    underlying: 'BANKNIFTY',
    indexSymbol: 'NIFTY BANK',
    indexExchangeToken: 1016,
    defaultSpot: 59_000,
    lotSize: 30,
    strikeStep: 100,
    volatility: 0.14,
    weeklyExpiries: 0,
    monthlyOptionExpiries: 2,
  },
];

/** Strikes listed on each side of the at-the-money strike. */
const STRIKES_EACH_SIDE = 10;
/** Futures: near, next and far month. */
const FUTURE_EXPIRIES = 3;

/** Cash-market stocks: real exchange tokens (SBIN 779521 and INFY 408065 are also in Kite's mocks). */
const STOCKS = [
  { tradingsymbol: 'SBIN', name: 'STATE BANK OF INDIA', exchangeToken: 3045, price: 960 },
  { tradingsymbol: 'INFY', name: 'INFOSYS', exchangeToken: 1594, price: 1550 },
  { tradingsymbol: 'RELIANCE', name: 'RELIANCE INDUSTRIES', exchangeToken: 2885, price: 1520 },
  { tradingsymbol: 'TCS', name: 'TATA CONSULTANCY SERV LT', exchangeToken: 11536, price: 3150 },
  { tradingsymbol: 'HDFCBANK', name: 'HDFC BANK', exchangeToken: 1333, price: 990 },
] as const;

/** NSE's equity and F&O tick; Kite's mocks show 0.05 for stocks and options alike. */
const TICK = 0.05;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** Weekly symbols encode the month in one character: 1-9, then O, N, D. */
const WEEKLY_MONTH_CODES = '123456789OND';
const DAY_MS = 86_400_000;
const TUESDAY = 2;

/** The IST calendar day of an instant, as a Date at 00:00 UTC (so UTC getters read the IST date). */
export function istCalendarDay(now: Date): Date {
  return new Date(`${formatIst(now).slice(0, 10)}T00:00:00Z`);
}

const isoDate = (day: Date): string => day.toISOString().slice(0, 10);
const addDays = (day: Date, days: number): Date => new Date(day.getTime() + days * DAY_MS);

/** The last Tuesday of a month (month 0-11; may overflow into the next year). */
function lastTuesday(year: number, month: number): Date {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return addDays(lastDay, -((lastDay.getUTCDay() - TUESDAY + 7) % 7));
}

const isMonthlyExpiry = (day: Date): boolean => isoDate(lastTuesday(day.getUTCFullYear(), day.getUTCMonth())) === isoDate(day);

/**
 * NSE's expiry calendar since 2025-08-29 (circular of 2025-06-23): NIFTY weeklies on Tuesdays, monthlies on the
 * month's last Tuesday. Only expiries strictly after today are listed, so a contract never expires mid-test. Trading
 * holidays are not modelled (an expiry on a holiday would move to the previous trading day).
 */
export function upcomingTuesdays(today: Date, count: number): Date[] {
  const first = addDays(today, (TUESDAY - today.getUTCDay() + 7) % 7 || 7);
  return Array.from({ length: count }, (_, i) => addDays(first, 7 * i));
}

export function upcomingMonthlyExpiries(today: Date, count: number): Date[] {
  const expiries: Date[] = [];
  for (let offset = 0; expiries.length < count; offset++) {
    const expiry = lastTuesday(today.getUTCFullYear(), today.getUTCMonth() + offset);
    if (expiry > today) expiries.push(expiry);
  }
  return expiries;
}

const yy = (day: Date): string => String(day.getUTCFullYear() % 100).padStart(2, '0');

/** NIFTY26JAN26000CE for a monthly expiry, NIFTY2610626000CE (yy, month code, dd) for a weekly one. */
export function optionSymbol(underlying: string, expiry: Date, strike: number, type: 'CE' | 'PE'): string {
  const date = isMonthlyExpiry(expiry)
    ? `${yy(expiry)}${MONTHS[expiry.getUTCMonth()]}`
    : `${yy(expiry)}${WEEKLY_MONTH_CODES[expiry.getUTCMonth()]}${String(expiry.getUTCDate()).padStart(2, '0')}`;
  return `${underlying}${date}${strike}${type}`;
}

const futureSymbol = (underlying: string, expiry: Date): string => `${underlying}${yy(expiry)}${MONTHS[expiry.getUTCMonth()]}FUT`;

/** Standard normal pdf and cdf (Abramowitz-Stegun 7.1.26 for erf): enough for plausible opening premiums. */
const pdf = (x: number): number => Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI);
function cdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Bachelier premium: intrinsic value plus time value that shrinks with distance from the money and to expiry. */
function optionPremium(spot: number, strike: number, type: 'CE' | 'PE', days: number, volatility: number): number {
  const spread = spot * volatility * Math.sqrt(days / 365);
  const moneyness = type === 'CE' ? spot - strike : strike - spot;
  const premium = moneyness * cdf(moneyness / spread) + spread * pdf(moneyness / spread);
  return Math.max(TICK, roundToTick(premium, TICK));
}

export interface InstrumentListOptions {
  /** Opening prices by tradingsymbol; "NIFTY 50" / "NIFTY BANK" here move the listed strikes with them. */
  startPrices: Record<string, number>;
}

/**
 * Build the simulator's instrument list for the IST day of `now`: the NIFTY 50 and NIFTY BANK index rows, index
 * options (21 strikes around the spot, CE and PE; NIFTY two weeklies and the monthly, BANKNIFTY two monthlies) and
 * three monthly futures each, and a few NSE stocks. Same day and start prices, same list: it is deterministic.
 */
export function buildInstrumentList(now: Date, options: InstrumentListOptions): InstrumentRow[] {
  const today = istCalendarDay(now);
  const rows: InstrumentRow[] = [];
  const usedTokens = new Set<number>();
  const exchangeToken = (symbol: string): number => {
    let token = 35_000 + (hashString(symbol) % 60_000);
    while (usedTokens.has(token)) token++; // keep tokens unique within the list
    usedTokens.add(token);
    return token;
  };
  const row = (fields: Omit<InstrumentRow, 'instrument_token'>): void => {
    rows.push({ instrument_token: fields.exchange_token * 256 + SEGMENT_CODES[fields.segment === 'INDICES' ? 'INDICES' : fields.exchange], ...fields });
  };

  for (const index of INDICES) {
    const spot = options.startPrices[index.indexSymbol] ?? index.defaultSpot;
    const base = { name: index.underlying, tick_size: TICK, lot_size: index.lotSize, exchange: 'NFO' };
    row({
      exchange_token: index.indexExchangeToken,
      tradingsymbol: index.indexSymbol,
      name: index.indexSymbol,
      last_price: spot,
      expiry: '',
      strike: 0,
      tick_size: 0,
      lot_size: 0,
      instrument_type: 'EQ',
      segment: 'INDICES',
      exchange: 'NSE',
    });
    for (const expiry of upcomingMonthlyExpiries(today, FUTURE_EXPIRIES)) {
      const days = (expiry.getTime() - today.getTime()) / DAY_MS;
      const tradingsymbol = futureSymbol(index.underlying, expiry);
      const price = roundToTick(spot * (1 + (0.065 * days) / 365), TICK); // cost of carry at ~6.5% a year
      row({
        ...base,
        exchange_token: exchangeToken(tradingsymbol),
        tradingsymbol,
        last_price: price,
        expiry: isoDate(expiry),
        strike: 0,
        instrument_type: 'FUT',
        segment: 'NFO-FUT',
      });
    }
    const expiries = new Map<string, Date>();
    for (const day of [...upcomingTuesdays(today, index.weeklyExpiries), ...upcomingMonthlyExpiries(today, index.monthlyOptionExpiries)])
      expiries.set(isoDate(day), day);
    const atm = Math.round(spot / index.strikeStep) * index.strikeStep;
    for (const expiry of [...expiries.values()].sort((a, b) => a.getTime() - b.getTime())) {
      const days = (expiry.getTime() - today.getTime()) / DAY_MS;
      for (let step = -STRIKES_EACH_SIDE; step <= STRIKES_EACH_SIDE; step++) {
        const strike = atm + step * index.strikeStep;
        for (const type of ['CE', 'PE'] as const) {
          const tradingsymbol = optionSymbol(index.underlying, expiry, strike, type);
          const price = optionPremium(spot, strike, type, days, index.volatility);
          row({
            ...base,
            exchange_token: exchangeToken(tradingsymbol),
            tradingsymbol,
            last_price: price,
            expiry: isoDate(expiry),
            strike,
            instrument_type: type,
            segment: 'NFO-OPT',
          });
        }
      }
    }
  }
  for (const stock of STOCKS) {
    const price = options.startPrices[stock.tradingsymbol] ?? stock.price;
    row({
      exchange_token: stock.exchangeToken,
      tradingsymbol: stock.tradingsymbol,
      name: stock.name,
      last_price: price,
      expiry: '',
      strike: 0,
      tick_size: TICK,
      lot_size: 1,
      instrument_type: 'EQ',
      segment: 'NSE',
      exchange: 'NSE',
    });
  }
  return rows;
}

/** Rows as Kite's CSV: header, one line per row, and a trailing newline (hence kiteconnect's phantom last row). */
export function instrumentsCsv(rows: readonly InstrumentRow[]): string {
  const cell = (row: InstrumentRow, column: keyof InstrumentRow): string => {
    const value = row[column];
    if (FLOAT_COLUMNS.has(column)) return Number.isInteger(value) ? (value as number).toFixed(1) : String(value);
    return String(value);
  };
  const lines = rows.map((row) => INSTRUMENT_COLUMNS.map((column) => cell(row, column)).join(','));
  return `${[INSTRUMENT_COLUMNS.join(','), ...lines].join('\n')}\n`;
}

/** Derivatives and stocks can be traded; an index row (lot size 0) cannot. */
export const isTradable = (instrument: InstrumentRow): boolean => instrument.lot_size > 0;

/**
 * The day's list, rebuilt when the IST date changes so a long-running paper simulator keeps listing future expiries.
 * Lookups are by exchange + tradingsymbol, as Kite advises (tokens can be reused across expiries).
 */
export class InstrumentList {
  private day = '';
  private rows: InstrumentRow[] = [];
  private byKey = new Map<string, InstrumentRow>();
  private bySymbol = new Map<string, InstrumentRow>();

  constructor(
    private readonly now: () => Date,
    private readonly options: InstrumentListOptions,
  ) {}

  all(): readonly InstrumentRow[] {
    this.refresh();
    return this.rows;
  }

  forExchange(exchange: string): InstrumentRow[] {
    return this.all().filter((row) => row.exchange === exchange);
  }

  find(exchange: string, tradingsymbol: string): InstrumentRow | undefined {
    this.refresh();
    return this.byKey.get(`${exchange}:${tradingsymbol}`);
  }

  /** By tradingsymbol alone: the price walk is keyed that way (listed symbols are unique across exchanges). */
  findSymbol(tradingsymbol: string): InstrumentRow | undefined {
    this.refresh();
    return this.bySymbol.get(tradingsymbol);
  }

  private refresh(): void {
    const day = formatIst(this.now()).slice(0, 10);
    if (day === this.day) return;
    this.day = day;
    this.rows = buildInstrumentList(this.now(), this.options);
    this.byKey = new Map(this.rows.map((row) => [`${row.exchange}:${row.tradingsymbol}`, row]));
    this.bySymbol = new Map(this.rows.map((row) => [row.tradingsymbol, row]));
  }
}
