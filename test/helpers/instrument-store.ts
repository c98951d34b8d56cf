import { join } from 'node:path';
import { KiteConnect } from 'kiteconnect';
import { DataSource } from 'typeorm';
import { sqliteDataSourceOptions } from '../../src/database/data-source.options';
import { ENTITIES } from '../../src/entities';
import { WriteTransactions } from '../../src/database/write-transactions';
import { normalizeInstruments } from '../../src/instruments/instrument-rows';
import { InstrumentStore } from '../../src/instruments/instrument.store';
import type { InstrumentInfo } from '../../src/instruments/instrument.types';
import type { InstrumentsLoader } from '../../src/instruments/instruments.loader';
import { InstrumentsService } from '../../src/instruments/instruments.service';
import { buildInstrumentList, instrumentsCsv, InstrumentRow } from '../../src/simulator/instruments';

/** The simulator's instrument list for `now`, as kiteconnect 5.3.0 parses it and legwork normalises it. */
export function simulatorInstruments(now: Date, startPrices: Record<string, number> = {}): InstrumentInfo[] {
  const kite = new KiteConnect({ api_key: 'test' }) as unknown as { transformInstrumentsResponse(data: string, headers: Record<string, string>): unknown };
  return normalizeInstruments(kite.transformInstrumentsResponse(instrumentsCsv(buildInstrumentList(now, { startPrices })), { 'content-type': 'text/csv' }))
    .rows;
}

/**
 * A list of `rows` made-up NFO options in Kite's CSV format (the size of Kite's real dump is tens of thousands of rows):
 * underlyings BIG0, BIG1, … with 500 calls and puts each (strikes from 100), expiring 2099-01-27, lot 25.
 */
export function syntheticInstrumentsCsv(rows: number): string {
  const list: InstrumentRow[] = Array.from({ length: rows }, (_, i) => {
    const type = i % 2 ? 'PE' : 'CE';
    const underlying = `BIG${Math.floor(i / 1000)}`;
    const strike = 100 + Math.floor((i % 1000) / 2);
    return {
      instrument_token: 50_000_000 + i,
      exchange_token: 200_000 + i,
      tradingsymbol: `${underlying}99JAN${strike}${type}`,
      name: underlying,
      last_price: 10,
      expiry: '2099-01-27',
      strike,
      tick_size: 0.05,
      lot_size: 25,
      instrument_type: type,
      segment: 'NFO-OPT',
      exchange: 'NFO',
    };
  });
  return instrumentsCsv(list);
}

export interface InstrumentStoreFixture {
  dataSource: DataSource;
  store: InstrumentStore;
  lookup: InstrumentsService;
  /** Store `rows` as a complete list for `listDay`, as the loader does (begin, batches, complete). */
  load(listDay: string, rows: readonly InstrumentInfo[]): Promise<number>;
  close(): Promise<void>;
}

/** The instrument store on a real, migrated SQLite file in `dir`; `dueDay` stands in for the loader's clock. */
export async function openInstrumentStore(dir: string, dueDay: () => string): Promise<InstrumentStoreFixture> {
  const dataSource = await new DataSource(sqliteDataSourceOptions({ path: join(dir, 'legwork.sqlite'), synchronous: 'NORMAL' }, ENTITIES)).initialize();
  const writes = new WriteTransactions(dataSource);
  const store = new InstrumentStore(dataSource, writes);
  const lookup = new InstrumentsService(store, { dueDay } as InstrumentsLoader);
  return {
    dataSource,
    store,
    lookup,
    async load(listDay, rows) {
      const id = await store.beginList(listDay, 'demand', []);
      for (let i = 0; i < rows.length; i += 1000) await store.insertBatch(id, rows.slice(i, i + 1000));
      await store.complete(id, rows.length);
      return id;
    },
    async close() {
      await writes.onApplicationShutdown();
      await dataSource.destroy();
    },
  };
}
