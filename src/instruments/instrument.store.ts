import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { PreparedQuery } from '../database/prepared-query';
import { WriteTransactions } from '../database/write-transactions';
import { Instrument } from './entities/instrument.entity';
import { InstrumentList, InstrumentLoadTrigger } from './entities/instrument-list.entity';
import type { InstrumentInfo, OptionQuery, OptionType } from './instrument.types';

/**
 * Rows per write transaction. Each batch is its own short transaction in the engine's write queue, so a postback's
 * inbox write waits for about one batch (a few ms; npm run bench:instruments), never for the whole list (tens of
 * thousands of rows).
 */
export const INSERT_BATCH_ROWS = 250;
/** Rows per statement within a batch: 13 parameters a row stays far below SQLite's 32766 and PostgreSQL's 65535. */
const ROWS_PER_STATEMENT = 250;
const DELETE_BATCH_ROWS = 1000;

const OPTION_TYPES = ['CE', 'PE'];

/**
 * Lets the event loop run (sockets, timers) before the next batch. better-sqlite3 answers synchronously, so batch
 * after batch would otherwise run as one chain of promise callbacks: no postback would even be read until the whole
 * list was stored.
 */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const INFO_COLUMNS = [
  'exchange',
  'tradingsymbol',
  'instrumentToken',
  'exchangeToken',
  'name',
  'segment',
  'instrumentType',
  'expiry',
  'strike',
  'lotSize',
  'tickSize',
  'lastPrice',
] as const satisfies ReadonlyArray<keyof InstrumentInfo>;

function info(row: Instrument): InstrumentInfo {
  const { exchange, tradingsymbol, instrumentToken, exchangeToken, name, segment, instrumentType, expiry, strike, lotSize, tickSize, lastPrice } = row;
  return { exchange, tradingsymbol, instrumentToken, exchangeToken, name, segment, instrumentType, expiry, strike, lotSize, tickSize, lastPrice };
}

/**
 * The instrument master in the store: lists of rows, each list made current by one commit. Reads always answer from
 * the newest complete list (found in the same query, so every instance on one database agrees); writes go through
 * WriteTransactions like every other write. Portable SQL only.
 */
@Injectable()
export class InstrumentStore {
  private readonly bySymbol: PreparedQuery<InstrumentInfo>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly writes: WriteTransactions,
  ) {
    this.bySymbol = new PreparedQuery(
      dataSource,
      Instrument,
      `SELECT ${INFO_COLUMNS.map((c) => `"${c}"`).join(', ')} FROM "instruments" ` +
        `WHERE "listId" = (SELECT MAX("id") FROM "instrument_lists" WHERE "status" = 'complete') AND "exchange" = :exchange AND "tradingsymbol" = :tradingsymbol LIMIT 1`,
    );
  }

  /** The list lookups answer from: the newest complete one. */
  currentList(): Promise<InstrumentList | null> {
    return this.dataSource.getRepository(InstrumentList).findOne({ where: { status: 'complete' }, order: { id: 'DESC' } });
  }

  /** Asked for every placement (sizing, slicing): written once, not built per call. */
  async find(exchange: string, tradingsymbol: string): Promise<InstrumentInfo | null> {
    return this.bySymbol.one({ exchange, tradingsymbol });
  }

  async findByToken(instrumentToken: number): Promise<InstrumentInfo | null> {
    const row = await this.rows().andWhere('i.instrumentToken = :instrumentToken', { instrumentToken }).orderBy('i.id', 'ASC').getOne();
    return row && info(row);
  }

  async options(query: OptionQuery): Promise<InstrumentInfo[]> {
    const q = this.rows().andWhere('i.name = :name', { name: query.underlying });
    if (query.type) q.andWhere('i.instrumentType = :type', { type: query.type });
    else q.andWhere('i.instrumentType IN (:...types)', { types: OPTION_TYPES });
    if (query.exchange) q.andWhere('i.exchange = :exchange', { exchange: query.exchange });
    if (query.expiry) q.andWhere('i.expiry = :expiry', { expiry: query.expiry });
    if (query.strike !== undefined) q.andWhere('i.strike = :strike', { strike: query.strike });
    const rows = await q.orderBy('i.expiry', 'ASC').addOrderBy('i.strike', 'ASC').addOrderBy('i.instrumentType', 'ASC').getMany();
    return rows.map(info);
  }

  async expiries(underlying: string, filter: { exchange?: string; type?: OptionType | 'FUT' } = {}): Promise<string[]> {
    const q = this.rows()
      .select('i.expiry', 'expiry')
      .distinct(true)
      .andWhere('i.name = :name AND i.expiry IS NOT NULL', { name: underlying })
      .andWhere('i.instrumentType IN (:...types)', { types: filter.type ? [filter.type] : [...OPTION_TYPES, 'FUT'] });
    if (filter.exchange) q.andWhere('i.exchange = :exchange', { exchange: filter.exchange });
    const rows = await q.orderBy('i.expiry', 'ASC').getRawMany<{ expiry: string }>();
    return rows.map((r) => r.expiry);
  }

  /** Rows of the current list, as a query to narrow down. */
  private rows(): SelectQueryBuilder<Instrument> {
    const current = this.dataSource.createQueryBuilder().select('MAX(l.id)').from(InstrumentList, 'l').where("l.status = 'complete'").getQuery();
    return this.dataSource.getRepository(Instrument).createQueryBuilder('i').where(`i.listId = (${current})`);
  }

  /** A new list, `loading` until complete(): readers do not see its rows before. */
  async beginList(listDay: string, trigger: InstrumentLoadTrigger, exchanges: readonly string[]): Promise<number> {
    return this.writes.run(
      async (m) => {
        const result = await m.insert(InstrumentList, {
          listDay,
          status: 'loading',
          trigger,
          exchanges: exchanges.join(','),
          rows: 0,
          startedAt: new Date(),
          completedAt: null,
        });
        return Number(result.identifiers[0].id);
      },
      { durable: false },
    );
  }

  /** One batch of rows, in one short write transaction. */
  insertBatch(listId: number, rows: readonly InstrumentInfo[]): Promise<void> {
    return this.writes.run(
      async (m: EntityManager) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
          const values = rows.slice(i, i + ROWS_PER_STATEMENT).map((row) => ({ ...row, listId }));
          await m.createQueryBuilder().insert().into(Instrument).values(values).updateEntity(false).execute();
        }
      },
      { durable: false },
    );
  }

  /** The commit that switches every lookup to this list (durable: it also syncs the batches before it). */
  async complete(listId: number, rows: number): Promise<void> {
    await this.writes.run((m) => m.update(InstrumentList, { id: listId }, { status: 'complete', rows, completedAt: new Date() }));
  }

  /**
   * Deletes every list older than `currentId` (earlier days, and loads a crash left half-written), in short batches
   * like the inserts. Returns the rows deleted.
   */
  async deleteListsBefore(currentId: number): Promise<number> {
    const lists = this.dataSource.getRepository(InstrumentList);
    let deleted = 0;
    for (const { id: listId } of await lists
      .createQueryBuilder('l')
      .select('l.id', 'id')
      .where('l.id < :currentId', { currentId })
      .getRawMany<{ id: number }>()) {
      const range = await this.dataSource
        .getRepository(Instrument)
        .createQueryBuilder('i')
        .select('MIN(i.id)', 'low')
        .addSelect('MAX(i.id)', 'high')
        .where('i.listId = :listId', { listId })
        .getRawOne<{ low: number | null; high: number | null }>();
      if (range?.low !== null && range?.low !== undefined && range.high !== null) {
        for (let from = Number(range.low); from <= Number(range.high); from += DELETE_BATCH_ROWS) {
          const to = from + DELETE_BATCH_ROWS;
          await yieldToEventLoop();
          deleted += await this.writes.run(
            async (m) =>
              (await m.createQueryBuilder().delete().from(Instrument).where('listId = :listId AND id >= :from AND id < :to', { listId, from, to }).execute())
                .affected ?? 0,
            { durable: false },
          );
        }
      }
      await this.writes.run((m) => m.delete(InstrumentList, { id: listId }), { durable: false });
    }
    return deleted;
  }
}
