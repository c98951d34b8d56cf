import { buildInstrumentList, InstrumentList, instrumentsCsv, optionSymbol, upcomingMonthlyExpiries, upcomingTuesdays } from './instruments';

const THURSDAY = new Date('2026-12-03T04:00:00Z'); // 09:30 IST, Thursday 3 Dec 2026
const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
const dates = (days: Date[]): string[] => days.map((d) => d.toISOString().slice(0, 10));

describe('instrument list', () => {
  it('lists expiries on Tuesdays strictly after today, monthly ones on the last Tuesday', () => {
    expect(dates(upcomingTuesdays(day('2026-12-03'), 2))).toEqual(['2026-12-08', '2026-12-15']);
    // On an expiry Tuesday itself the contract is not listed: it would expire mid-test.
    expect(dates(upcomingTuesdays(day('2026-12-08'), 1))).toEqual(['2026-12-15']);
    expect(dates(upcomingMonthlyExpiries(day('2026-12-03'), 3))).toEqual(['2026-12-29', '2027-01-26', '2027-02-23']);
    expect(dates(upcomingMonthlyExpiries(day('2026-12-29'), 1))).toEqual(['2027-01-26']);
  });

  it('names weekly and monthly contracts as Kite does', () => {
    expect(optionSymbol('NIFTY', day('2026-12-08'), 26000, 'CE')).toBe('NIFTY26D0826000CE');
    expect(optionSymbol('NIFTY', day('2027-01-05'), 25950, 'PE')).toBe('NIFTY2710525950PE');
    expect(optionSymbol('NIFTY', day('2026-12-29'), 26000, 'PE')).toBe('NIFTY26DEC26000PE');
    expect(optionSymbol('BANKNIFTY', day('2026-10-27'), 59000, 'CE')).toBe('BANKNIFTY26OCT59000CE');
  });

  it('builds index options around the spot, futures and stocks with today’s lot sizes and Kite-style tokens', () => {
    const rows = buildInstrumentList(THURSDAY, { startPrices: {} });
    const bySymbol = new Map(rows.map((row) => [row.tradingsymbol, row]));

    expect(bySymbol.get('NIFTY 50')).toMatchObject({ instrument_token: 256265, segment: 'INDICES', lot_size: 0, last_price: 26000 });
    expect(bySymbol.get('NIFTY BANK')).toMatchObject({ instrument_token: 260105, segment: 'INDICES' });
    expect(bySymbol.get('SBIN')).toMatchObject({ instrument_token: 779521, exchange_token: 3045, lot_size: 1, tick_size: 0.05, segment: 'NSE' });
    expect(bySymbol.get('INFY')?.instrument_token).toBe(408065);

    const niftyOptions = rows.filter((row) => row.name === 'NIFTY' && row.segment === 'NFO-OPT');
    expect([...new Set(niftyOptions.map((row) => row.expiry))]).toEqual(['2026-12-08', '2026-12-15', '2026-12-29']);
    expect(niftyOptions).toHaveLength(3 * 21 * 2);
    expect(new Set(niftyOptions.map((row) => row.lot_size))).toEqual(new Set([65]));
    expect(Math.min(...niftyOptions.map((row) => row.strike))).toBe(25500);
    expect(Math.max(...niftyOptions.map((row) => row.strike))).toBe(26500);
    expect(bySymbol.get('NIFTY26D0826000CE')).toMatchObject({ exchange: 'NFO', instrument_type: 'CE', strike: 26000, expiry: '2026-12-08', tick_size: 0.05 });

    const bankOptions = rows.filter((row) => row.name === 'BANKNIFTY' && row.segment === 'NFO-OPT');
    expect([...new Set(bankOptions.map((row) => row.expiry))]).toEqual(['2026-12-29', '2027-01-26']);
    expect(new Set(bankOptions.map((row) => row.lot_size))).toEqual(new Set([30]));
    expect(rows.filter((row) => row.segment === 'NFO-FUT').map((row) => row.tradingsymbol)).toEqual([
      'NIFTY26DECFUT',
      'NIFTY27JANFUT',
      'NIFTY27FEBFUT',
      'BANKNIFTY26DECFUT',
      'BANKNIFTY27JANFUT',
      'BANKNIFTY27FEBFUT',
    ]);

    // Premiums: positive, on the tick, in-the-money calls dearer than out-of-the-money ones; tokens unique.
    for (const row of rows.filter((r) => r.exchange === 'NFO')) {
      expect(row.last_price).toBeGreaterThan(0);
      expect(Math.abs(row.last_price / 0.05 - Math.round(row.last_price / 0.05))).toBeLessThan(1e-6);
      expect(row.instrument_token).toBe(row.exchange_token * 256 + 2);
    }
    expect(bySymbol.get('NIFTY26DEC25500CE')!.last_price).toBeGreaterThan(bySymbol.get('NIFTY26DEC26500CE')!.last_price);
    expect(new Set(rows.map((row) => row.instrument_token)).size).toBe(rows.length);
  });

  it('is deterministic, and centres the strikes on a configured index price', () => {
    expect(buildInstrumentList(THURSDAY, { startPrices: {} })).toEqual(buildInstrumentList(THURSDAY, { startPrices: {} }));
    const moved = buildInstrumentList(THURSDAY, { startPrices: { 'NIFTY 50': 24_010, SBIN: 470 } });
    const strikes = moved.filter((row) => row.name === 'NIFTY' && row.instrument_type === 'CE').map((row) => row.strike);
    expect([Math.min(...strikes), Math.max(...strikes)]).toEqual([23500, 24500]);
    expect(moved.find((row) => row.tradingsymbol === 'SBIN')?.last_price).toBe(470);
  });

  it('writes Kite’s CSV: its header, floats like "23500.0", empty expiry for stocks, and a trailing newline', () => {
    const rows = buildInstrumentList(THURSDAY, { startPrices: {} });
    const csv = instrumentsCsv(rows);
    const lines = csv.split('\n');
    expect(lines[0]).toBe('instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange');
    expect(lines).toHaveLength(rows.length + 2); // header, rows, and '' after the final newline
    expect(lines.at(-1)).toBe('');
    expect(lines).toContain('779521,3045,SBIN,STATE BANK OF INDIA,960.0,,0.0,0.05,1,EQ,NSE,NSE');
    expect(lines.find((line) => line.includes(',NIFTY26D0826000CE,'))).toMatch(
      /^\d+,\d+,NIFTY26D0826000CE,NIFTY,[\d.]+,2026-12-08,26000\.0,0\.05,65,CE,NFO-OPT,NFO$/,
    );
  });

  it('rebuilds for a new IST day, so a long-running simulator keeps listing future expiries', () => {
    let now = THURSDAY;
    const list = new InstrumentList(() => now, { startPrices: {} });
    expect(list.find('NFO', 'NIFTY26D0826000CE')).toBeDefined();
    now = new Date('2026-12-08T04:00:00Z'); // the expiry day itself
    expect(list.find('NFO', 'NIFTY26D0826000CE')).toBeUndefined();
    expect(list.find('NFO', 'NIFTY26D2226000CE')).toBeDefined();
    expect(list.findSymbol('SBIN')?.exchange).toBe('NSE');
    expect(list.forExchange('NSE').map((row) => row.segment)).toEqual(expect.arrayContaining(['INDICES', 'NSE']));
  });
});
