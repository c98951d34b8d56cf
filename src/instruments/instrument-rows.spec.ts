import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KiteConnect } from 'kiteconnect';
import { normalizeInstruments, normalizeInstrumentsInSlices } from './instrument-rows';

/** Kite's own sample dump (kiteconnect-mocks instruments_nse.csv): 99 instruments, CRLF line ends, a trailing newline. */
const MOCK_CSV = readFileSync(join(__dirname, '../../test/fixtures/kite-instruments-nse.csv'), 'utf8');

/** What kiteconnect 5.3.0's getInstruments() resolves to for this body and Content-Type (its own transformer). */
function asKiteconnectReturns(body: string, contentType: string): unknown {
  const kite = new KiteConnect({ api_key: 'unit' }) as unknown as { transformInstrumentsResponse(data: string, headers: Record<string, string>): unknown };
  return kite.transformInstrumentsResponse(body, { 'content-type': contentType });
}

const HEADER = 'instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange';
const OPTION = '12345678,48225,NIFTY26JAN26000CE,NIFTY,212.5,2026-01-27,26000.0,0.05,65,CE,NFO-OPT,NFO';
const FUTURE = '12345934,48226,NIFTY26JANFUT,NIFTY,26100.0,2026-01-27,,0.05,65,FUT,NFO-FUT,NFO';
const STOCK = '779521,3045,SBIN,STATE BANK OF INDIA,960.0,,,0.05,1,EQ,NSE,NSE';

describe('normalizeInstruments: kiteconnect 5.3.0 getInstruments() answers made into trustworthy rows', () => {
  it("drops kiteconnect's phantom last row from the CSV's trailing newline and keeps all 99 mock instruments", () => {
    const answer = asKiteconnectReturns(MOCK_CSV, 'text/csv') as unknown[];
    expect(answer).toHaveLength(100); // the client's own output: 99 instruments + one empty row
    const { rows, skipped, duplicates } = normalizeInstruments(answer);
    expect(rows).toHaveLength(99);
    expect(skipped).toBe(0);
    expect(duplicates).toBe(0);
    expect(rows[0]).toEqual({
      exchange: 'NSE',
      tradingsymbol: 'CENTRALBK-BE',
      instrumentToken: 3813889,
      exchangeToken: 14898,
      name: 'CENTRAL BANK OF INDIA',
      segment: 'NSE',
      instrumentType: 'EQ',
      expiry: null,
      strike: 0,
      lotSize: 1,
      tickSize: 0.05,
      lastPrice: 0,
    });
  });

  it('turns NaN strikes into null, UTC-midnight expiry Dates into the calendar date in any time zone, and string tokens into numbers', () => {
    const answer = asKiteconnectReturns(`${HEADER}\n${OPTION}\n${FUTURE}\n${STOCK}\n`, 'text/csv') as Array<Record<string, unknown>>;
    expect(answer[1].strike).toBeNaN();
    expect(answer[0].expiry).toBeInstanceOf(Date);
    const { rows } = normalizeInstruments(answer);
    expect(rows.map((r) => [r.tradingsymbol, r.instrumentToken, r.expiry, r.strike, r.lotSize, r.lastPrice])).toEqual([
      ['NIFTY26JAN26000CE', 12345678, '2026-01-27', 26000, 65, 212.5],
      ['NIFTY26JANFUT', 12345934, '2026-01-27', null, 65, 26100],
      ['SBIN', 779521, null, null, 1, 960],
    ]);
  });

  it('parses the raw CSV string kiteconnect hands back when the Content-Type carries a charset, to the same rows', () => {
    const raw = asKiteconnectReturns(MOCK_CSV, 'text/csv; charset=utf-8');
    expect(typeof raw).toBe('string');
    expect(normalizeInstruments(raw)).toEqual(normalizeInstruments(asKiteconnectReturns(MOCK_CSV, 'text/csv')));
    expect(normalizeInstruments(`${HEADER}\r\n${OPTION}\r\n`).rows[0]).toMatchObject({ expiry: '2026-01-27', strike: 26000, instrumentToken: 12345678 });
  });

  it('skips rows without a usable key, token, lot or tick, counts them and quotes the first; keeps the first of duplicate keys', () => {
    const body = [
      HEADER,
      OPTION,
      'abc,1,NIFTY26JAN26100CE,NIFTY,1,2026-01-27,26100,0.05,65,CE,NFO-OPT,NFO',
      '1,1,NIFTY26JAN26200CE,NIFTY,1,2026-01-27,26200,0.05,,CE,NFO-OPT,NFO',
      OPTION.replace('212.5', '1.0'),
      '',
    ].join('\n');
    const result = normalizeInstruments(asKiteconnectReturns(body, 'text/csv'));
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0].lastPrice).toBe(212.5);
    expect(result).toMatchObject({ skipped: 2, duplicates: 1, firstProblem: 'NFO:NIFTY26JAN26100CE: instrument_token "abc"' });
  });

  it("refuses what is not a list: kiteconnect's resolved DataException for an unknown content type, HTML, null", () => {
    const unknownType = { error_type: 'DataException', message: `Unknown content type (text/html) with response: (${'x'.repeat(5000)})` };
    expect(() => normalizeInstruments(unknownType)).toThrow(/^DataException: Unknown content type \(text\/html\)/);
    expect(() => normalizeInstruments(unknownType)).toThrow(expect.objectContaining({ message: expect.stringMatching(/^.{0,240}$/) }));
    expect(() => normalizeInstruments('<html>maintenance</html>')).toThrow(/not the expected CSV/);
    expect(() => normalizeInstruments(null)).toThrow(/came back as null/);
  });
});

describe('normalizeInstrumentsInSlices: the same rows, without holding the event loop for the whole list', () => {
  it('gives what normalizeInstruments gives, for the raw CSV and for kiteconnect-parsed rows', async () => {
    const expected = normalizeInstruments(asKiteconnectReturns(MOCK_CSV, 'text/csv'));
    expect(await normalizeInstrumentsInSlices(MOCK_CSV, 7)).toEqual(expected);
    expect(await normalizeInstrumentsInSlices(asKiteconnectReturns(MOCK_CSV, 'text/csv'), 7)).toEqual(expected);
    const bad = [HEADER, OPTION, OPTION, 'abc,1,X,NIFTY,1,,,0.05,1,EQ,NSE,NSE', ''].join('\n');
    expect(await normalizeInstrumentsInSlices(bad)).toEqual(normalizeInstruments(bad));
  });

  it('lets other work run between slices', async () => {
    const csv = [HEADER, ...Array.from({ length: 12_000 }, (_, i) => `${i + 1},${i + 1},SYM${i},X,1,,,0.05,1,EQ,NSE,NSE`), ''].join('\n');
    let settled = false;
    const seen: boolean[] = [];
    setImmediate(() => seen.push(settled));
    const result = normalizeInstrumentsInSlices(csv, 5_000).then((r) => ((settled = true), r));
    expect((await result).rows).toHaveLength(12_000);
    expect(seen).toEqual([false]); // the callback ran while the list was still being read
  });

  it('refuses what is not the instrument CSV, and errors kiteconnect resolved with', async () => {
    await expect(normalizeInstrumentsInSlices('<html>maintenance</html>')).rejects.toThrow(/not the expected CSV/);
    await expect(normalizeInstrumentsInSlices({ error_type: 'DataException', message: 'Unknown content type' })).rejects.toThrow(/^DataException/);
  });
});
