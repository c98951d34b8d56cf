import { Instrument } from '../../src/instruments/entities/instrument.entity';
import { InstrumentList } from '../../src/instruments/entities/instrument-list.entity';
import { openInstrumentStore, InstrumentStoreFixture, simulatorInstruments } from '../helpers/instrument-store';
import { tempDir } from '../helpers/test-app';

/** A Tuesday morning in IST: the simulator lists NIFTY weeklies from the next Tuesday on. */
const MONDAY = new Date('2026-01-19T10:00:00+05:30');
const TUESDAY = new Date('2026-01-20T10:00:00+05:30');

describe('instrument store on a real SQLite file: lists switch in one commit, lookups read the current list only', () => {
  const tmp = tempDir();
  let f: InstrumentStoreFixture;
  let due = '2026-01-20';

  beforeAll(async () => {
    f = await openInstrumentStore(tmp.dir, () => due);
  });
  afterAll(async () => {
    await f.close();
    tmp.cleanup();
  });

  it('answers by exchange + tradingsymbol, by token, options by underlying/expiry/type/strike, expiries, nearest strike, lot and tick', async () => {
    expect(await f.lookup.listInUse()).toBeNull();
    expect(await f.lookup.find('NSE', 'SBIN')).toBeNull();
    const rows = simulatorInstruments(TUESDAY);
    await f.load('2026-01-20', rows);

    expect(await f.lookup.listInUse()).toMatchObject({ listDay: '2026-01-20', rows: rows.length, current: true });
    const sbin = rows.find((r) => r.tradingsymbol === 'SBIN')!;
    expect(await f.lookup.find('NSE', 'SBIN')).toEqual(sbin);
    expect(await f.lookup.findByToken(779521)).toEqual(sbin);
    expect(await f.lookup.find('NFO', 'SBIN')).toBeNull();

    const expiries = await f.lookup.expiries('NIFTY', { type: 'CE' });
    expect(expiries).toEqual([...new Set(rows.filter((r) => r.name === 'NIFTY' && r.instrumentType === 'CE').map((r) => r.expiry))].sort());
    expect(expiries.length).toBeGreaterThanOrEqual(2);
    const calls = await f.lookup.options({ underlying: 'NIFTY', expiry: expiries[0], type: 'CE' });
    expect(calls.map((c) => c.strike)).toEqual(Array.from({ length: 21 }, (_, i) => 25_500 + 50 * i));
    expect(calls.every((c) => c.lotSize === 65 && c.tickSize === 0.05 && c.exchange === 'NFO')).toBe(true);
    const both = await f.lookup.options({ underlying: 'NIFTY', expiry: expiries[0], strike: 26_000 });
    expect(both.map((o) => o.instrumentType)).toEqual(['CE', 'PE']);
    expect(await f.lookup.expiries('NIFTY', { type: 'FUT' })).toHaveLength(3);

    expect((await f.lookup.nearestStrike({ underlying: 'NIFTY', expiry: expiries[0], type: 'PE', strike: 26_020 }))?.strike).toBe(26_000);
    expect((await f.lookup.nearestStrike({ underlying: 'NIFTY', expiry: expiries[0], type: 'CE', strike: 27_000, above: 26_400 }))?.strike).toBe(26_500);
    expect(await f.lookup.nearestStrike({ underlying: 'NIFTY', expiry: expiries[0], type: 'CE', strike: 27_000, above: 26_500 })).toBeNull();
    expect(await f.lookup.lotSize('NFO', calls[0].tradingsymbol)).toBe(65);
    expect(await f.lookup.tickSize('NSE', 'SBIN')).toBe(0.05);
    expect(await f.lookup.lotSize('NFO', 'NIFTY99JAN1CE')).toBeNull();
  });

  it('keeps answering from the complete list while a newer one is half written, then switches at its completion and deletes the old rows', async () => {
    const before = await f.lookup.listInUse();
    const monday = simulatorInstruments(MONDAY, { 'NIFTY 50': 26_400 }); // other strikes than Tuesday's
    const id = await f.store.beginList('2026-01-21', 'schedule', []);
    await f.store.insertBatch(id, monday.slice(0, 100));
    expect(await f.lookup.listInUse()).toMatchObject({ listDay: before!.listDay, rows: before!.rows });
    expect(await f.lookup.find('NFO', monday[50].tradingsymbol)).toEqual(
      simulatorInstruments(TUESDAY).find((r) => r.tradingsymbol === monday[50].tradingsymbol) ?? null,
    );

    await f.store.insertBatch(id, monday.slice(100));
    due = '2026-01-21';
    expect(await f.lookup.listInUse()).toMatchObject({ listDay: '2026-01-20', current: false });
    await f.store.complete(id, monday.length);
    expect(await f.lookup.listInUse()).toMatchObject({ listDay: '2026-01-21', rows: monday.length, current: true });
    const strikes = (await f.lookup.options({ underlying: 'NIFTY', type: 'CE' })).map((o) => o.strike!);
    expect(Math.min(...strikes)).toBe(25_900);

    expect(await f.dataSource.getRepository(Instrument).count()).toBeGreaterThan(monday.length); // both lists until the clean-up
    const deleted = await f.store.deleteListsBefore(id);
    expect(deleted).toBe(before!.rows);
    expect(await f.dataSource.getRepository(Instrument).count()).toBe(monday.length);
    expect(await f.dataSource.getRepository(InstrumentList).find()).toEqual([expect.objectContaining({ id, status: 'complete' })]);
  });

  it('refuses two rows with the same exchange + tradingsymbol in one list (the schema, not only the loader)', async () => {
    const id = await f.store.beginList('2026-01-21', 'demand', []);
    const [row] = simulatorInstruments(TUESDAY);
    await expect(f.store.insertBatch(id, [row, row])).rejects.toThrow(/UNIQUE/);
    expect(await f.dataSource.getRepository(Instrument).countBy({ listId: id })).toBe(0); // the batch rolled back whole
  });
});
