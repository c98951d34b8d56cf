import Papa from 'papaparse';

/** Units per order above which the exchange freezes an order, by underlying (the instrument list's `name`). */
export type FreezeLimits = Readonly<Record<string, number>>;

/**
 * Kite has no API for freeze quantities ("place an order and in the 400 error response you will see the freeze
 * quantity number", Kite staff), so legwork ships a dated table. NSE revises it several times a year (2025: July,
 * September, November, December; 2026: February): check it, and override it with FREEZE_LIMITS or FREEZE_LIMITS_FILE.
 */
export const SHIPPED_FREEZE_LIMITS: FreezeLimits = {
  NIFTY: 1800,
  BANKNIFTY: 600,
  FINNIFTY: 1800,
  MIDCPNIFTY: 2800,
  NIFTYNXT50: 600,
  SENSEX: 1000,
  BANKEX: 900,
};

export const SHIPPED_FREEZE_LIMITS_SOURCE =
  "shipped table: NSE circular of 2026-01-30, effective 2026-02-01 (NIFTY, BANKNIFTY, FINNIFTY, MIDCPNIFTY, NIFTYNXT50); ICICI Direct's F&O FAQ, undated (BSE's SENSEX, BANKEX)";

/** The table in use and, per underlying, where its value came from (for the start-up log and /instruments). */
export interface FreezeLimitTable {
  readonly limits: FreezeLimits;
  readonly sources: Readonly<Record<string, string>>;
}

const ENTRY = /^\s*([A-Za-z0-9&_-]+)\s*=\s*(\d+)\s*$/;

/** FREEZE_LIMITS, e.g. "NIFTY=1800,BANKNIFTY=600": underlying names upper-cased; throws naming the bad entry. */
export function parseFreezeLimitsSetting(value: string): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const entry of value.split(',').filter((e) => e.trim() !== '')) {
    const match = ENTRY.exec(entry);
    if (!match || Number(match[2]) <= 0) throw new Error(`"${entry.trim()}" is not UNDERLYING=quantity (a whole number above 0)`);
    limits[match[1].toUpperCase()] = Number(match[2]);
  }
  return limits;
}

/**
 * NSE's freeze-quantity file as published (qtyfreeze.csv: `S.No.,SYMBOL,VOL_FRZ_QTY`, cells padded with spaces), so
 * a trader can drop in the current one. Only the SYMBOL and VOL_FRZ_QTY columns are read.
 */
export function parseFreezeLimitsFile(csv: string): Record<string, number> {
  const parsed = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: 'greedy', transformHeader: (h) => h.trim().toUpperCase() });
  const fields = parsed.meta.fields ?? [];
  if (!fields.includes('SYMBOL') || !fields.includes('VOL_FRZ_QTY')) {
    throw new Error(`expected NSE's qtyfreeze.csv columns SYMBOL and VOL_FRZ_QTY, found: ${fields.join(', ') || 'none'}`);
  }
  const limits: Record<string, number> = {};
  parsed.data.forEach((row, index) => {
    const symbol = (row.SYMBOL ?? '').trim().toUpperCase();
    const quantity = (row.VOL_FRZ_QTY ?? '').trim();
    if (!symbol || !/^\d+$/.test(quantity) || Number(quantity) <= 0) {
      throw new Error(`row ${index + 1}: "${symbol}", "${quantity}" is not an underlying with a whole quantity above 0`);
    }
    limits[symbol] = Number(quantity);
  });
  if (Object.keys(limits).length === 0) throw new Error('no rows');
  return limits;
}

/** Shipped table < file < setting: the later source wins for each underlying it names. */
export function composeFreezeLimits(overrides: Array<{ source: string; limits: Record<string, number> }>): FreezeLimitTable {
  const limits: Record<string, number> = { ...SHIPPED_FREEZE_LIMITS };
  const sources: Record<string, string> = Object.fromEntries(Object.keys(SHIPPED_FREEZE_LIMITS).map((name) => [name, SHIPPED_FREEZE_LIMITS_SOURCE]));
  for (const { source, limits: given } of overrides) {
    for (const [name, quantity] of Object.entries(given)) {
      limits[name] = quantity;
      sources[name] = source;
    }
  }
  return { limits, sources };
}
