import Papa from 'papaparse';
import type { InstrumentInfo } from './instrument.types';
import { textOf } from '../common/text-of';

/** The list as legwork stores it, with what had to be left out and why. */
export interface NormalizedInstruments {
  rows: InstrumentInfo[];
  /** Rows with a missing key or an unreadable token, lot or tick (not counting blank lines). */
  skipped: number;
  /** Rows repeating an exchange + tradingsymbol already seen (the first one is kept). */
  duplicates: number;
  /** The first skipped row, to quote in the log. */
  firstProblem?: string;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : textOf(value).trim());

/** kiteconnect gives floats already parsed (NaN for an empty cell); the raw CSV gives strings. */
function float(value: unknown): number {
  if (typeof value === 'number') return value;
  const t = text(value);
  return t === '' ? NaN : Number(t);
}

function expiryDay(value: unknown): string | null {
  // kiteconnect 5.3.0 turns "2026-01-27" into new Date("2026-01-27"): midnight UTC, so the UTC date is Kite's date
  // whatever the process time zone (local getters would give the day before west of Greenwich).
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
  const t = text(value);
  return ISO_DAY.test(t) ? t : null;
}

/**
 * What `kite.getInstruments()` resolves to in kiteconnect 5.3.0, made into rows legwork can trust:
 * - parsed rows normally, but the raw CSV string when the Content-Type carries a charset (`text/csv; charset=utf-8`):
 *   its transformer only parses an exact `text/csv`; the string is parsed here the same way (papaparse, header row);
 * - a resolved `{ error_type, message }` object for an unknown content type (its response interceptor): an error;
 * - a phantom empty last row from the CSV's trailing newline: dropped;
 * - NaN for empty `strike` / `last_price`: null; empty `expiry` stays '' in the client: null;
 * - `expiry` as a Date at midnight UTC: its UTC date, yyyy-mm-dd;
 * - tokens as strings: numbers.
 */
export function normalizeInstruments(answer: unknown): NormalizedInstruments {
  const normalizer = new InstrumentNormalizer();
  for (const record of instrumentRecords(answer)) normalizer.add(record);
  return normalizer.result();
}

/** The same, one record at a time, so a caller can pause between slices of a list of 100,000 rows. */
class InstrumentNormalizer {
  private readonly rows: InstrumentInfo[] = [];
  private readonly seen = new Set<string>();
  private skipped = 0;
  private duplicates = 0;
  private firstProblem: string | undefined;

  add(record: Record<string, unknown>): void {
    const tradingsymbol = text(record.tradingsymbol);
    const exchange = text(record.exchange);
    const tokenText = text(record.instrument_token);
    if (!tradingsymbol && !exchange && !tokenText) return; // the blank line after the last row
    const instrumentToken = Number(tokenText);
    const exchangeToken = Number(text(record.exchange_token));
    const lotSize = float(record.lot_size);
    const tickSize = float(record.tick_size);
    const problem =
      !tradingsymbol || !exchange
        ? 'no exchange or tradingsymbol'
        : !/^\d+$/.test(tokenText) || !Number.isSafeInteger(instrumentToken)
          ? `instrument_token "${tokenText}"`
          : !Number.isInteger(lotSize) || lotSize < 0
            ? `lot_size "${text(record.lot_size)}"`
            : !Number.isFinite(tickSize) || tickSize < 0
              ? `tick_size "${text(record.tick_size)}"`
              : undefined;
    if (problem) {
      this.skipped++;
      this.firstProblem ??= `${exchange || '?'}:${tradingsymbol || '?'}: ${problem}`;
      return;
    }
    const key = `${exchange}:${tradingsymbol}`;
    if (this.seen.has(key)) {
      this.duplicates++;
      return;
    }
    this.seen.add(key);
    const strike = float(record.strike);
    const lastPrice = float(record.last_price);
    this.rows.push({
      exchange,
      tradingsymbol,
      instrumentToken,
      exchangeToken: Number.isSafeInteger(exchangeToken) ? exchangeToken : 0,
      name: text(record.name),
      segment: text(record.segment),
      instrumentType: text(record.instrument_type),
      expiry: expiryDay(record.expiry),
      strike: Number.isFinite(strike) ? strike : null,
      lotSize,
      tickSize,
      lastPrice: Number.isFinite(lastPrice) ? lastPrice : null,
    });
  }

  result(): NormalizedInstruments {
    return { rows: this.rows, skipped: this.skipped, duplicates: this.duplicates, firstProblem: this.firstProblem };
  }
}

/**
 * normalizeInstruments without freezing the event loop: `sliceRows` records at a time, a turn of the event loop
 * between slices (a raw CSV is parsed row by row with papaparse's pause/resume).
 */
export async function normalizeInstrumentsInSlices(answer: unknown, sliceRows = 5_000): Promise<NormalizedInstruments> {
  const normalizer = new InstrumentNormalizer();
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  if (typeof answer !== 'string') {
    const records = instrumentRecords(answer);
    for (let i = 0; i < records.length; i++) {
      if (i > 0 && i % sliceRows === 0) await turn();
      normalizer.add(records[i]);
    }
    return normalizer.result();
  }
  await new Promise<void>((resolve, reject) => {
    let count = 0;
    let checked = false;
    Papa.parse<Record<string, string>>(answer, {
      header: true,
      skipEmptyLines: true,
      step: (result, parser) => {
        if (!checked) {
          checked = true;
          if (!result.meta.fields?.includes('tradingsymbol')) {
            parser.abort();
            return reject(notCsv(answer));
          }
        }
        normalizer.add(result.data);
        if (++count % sliceRows === 0) {
          parser.pause();
          setImmediate(() => parser.resume());
        }
      },
      complete: () => (checked || answer.trim() === '' ? resolve() : reject(notCsv(answer))),
      error: (error: Error) => reject(error),
    });
  });
  return normalizer.result();
}

const notCsv = (answer: string): Error => new Error(`Kite's instrument list is not the expected CSV (header: ${JSON.stringify(answer.slice(0, 80))})`);

/** The records in what getInstruments() resolved to (see normalizeInstruments); throws when it is not a list. */
function instrumentRecords(answer: unknown): Array<Record<string, unknown>> {
  if (typeof answer === 'string') {
    const parsed = Papa.parse<Record<string, string>>(answer, { header: true, skipEmptyLines: true });
    if (!parsed.meta.fields?.includes('tradingsymbol')) throw notCsv(answer);
    return parsed.data;
  }
  if (Array.isArray(answer)) return answer as Array<Record<string, unknown>>;
  if (answer && typeof answer === 'object' && 'error_type' in answer) {
    const { error_type, message } = answer as { error_type: unknown; message?: unknown };
    // kiteconnect's message quotes the whole response body: the first line says enough.
    throw new Error(`${textOf(error_type)}: ${textOf(message ?? 'no message').slice(0, 200)}`);
  }
  throw new Error(`Kite's instrument list came back as ${answer === null ? 'null' : typeof answer}, not rows`);
}
