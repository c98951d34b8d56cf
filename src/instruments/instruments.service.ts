import { Injectable } from '@nestjs/common';
import { InstrumentStore } from './instrument.store';
import type { InstrumentInfo, InstrumentListInfo, InstrumentLookup, OptionQuery, OptionType, StrikeQuery } from './instrument.types';
import { InstrumentsLoader } from './instruments.loader';
import { pickNearestStrike } from './strikes';

/** The read-only lookups strategies get as `ctx.instruments` (and the order gateway uses for lot and tick checks). */
@Injectable()
export class InstrumentsService implements InstrumentLookup {
  constructor(
    private readonly store: InstrumentStore,
    private readonly loader: InstrumentsLoader,
  ) {}

  async listInUse(): Promise<InstrumentListInfo | null> {
    const list = await this.store.currentList();
    if (!list) return null;
    return { listDay: list.listDay, loadedAt: list.completedAt ?? list.startedAt, rows: list.rows, current: list.listDay >= this.loader.dueDay() };
  }

  find(exchange: string, tradingsymbol: string): Promise<InstrumentInfo | null> {
    return this.store.find(exchange, tradingsymbol);
  }

  findByToken(instrumentToken: number): Promise<InstrumentInfo | null> {
    return this.store.findByToken(instrumentToken);
  }

  options(query: OptionQuery): Promise<InstrumentInfo[]> {
    return this.store.options(query);
  }

  expiries(underlying: string, filter?: { exchange?: string; type?: OptionType | 'FUT' }): Promise<string[]> {
    return this.store.expiries(underlying, filter);
  }

  async nearestStrike(query: StrikeQuery): Promise<InstrumentInfo | null> {
    const { underlying, exchange, expiry, type } = query;
    return pickNearestStrike(await this.store.options({ underlying, exchange, expiry, type }), query);
  }

  async lotSize(exchange: string, tradingsymbol: string): Promise<number | null> {
    return (await this.store.find(exchange, tradingsymbol))?.lotSize ?? null;
  }

  async tickSize(exchange: string, tradingsymbol: string): Promise<number | null> {
    return (await this.store.find(exchange, tradingsymbol))?.tickSize ?? null;
  }
}
