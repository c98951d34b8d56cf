import { Column, Entity, Index, PrimaryGeneratedColumn, ValueTransformer } from 'typeorm';

/** bigint columns come back as strings from PostgreSQL and as numbers from SQLite: numbers either way (tokens fit in 2^53). */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * One row of Kite's daily instrument list, in the list (`listId`) it was loaded with. Lookups read the newest
 * complete list only; rows of older lists are deleted after a newer one completes.
 */
@Entity('instruments')
@Index('UQ_instruments_list_key', ['listId', 'exchange', 'tradingsymbol'], { unique: true })
@Index('IDX_instruments_list_token', ['listId', 'instrumentToken'])
@Index('IDX_instruments_list_options', ['listId', 'name', 'instrumentType', 'expiry', 'strike'])
export class Instrument {
  @PrimaryGeneratedColumn()
  id: number;

  /** The instrument_lists row this row was loaded with. */
  @Column({ type: 'integer' })
  listId: number;

  @Column({ type: 'varchar', length: 16 })
  exchange: string;

  @Column({ type: 'varchar', length: 64 })
  tradingsymbol: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  instrumentToken: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  exchangeToken: number;

  /** The underlying for derivatives (NIFTY, BANKNIFTY); company or index name otherwise. */
  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'varchar', length: 32 })
  segment: string;

  /** EQ, FUT, CE, PE. */
  @Column({ type: 'varchar', length: 16 })
  instrumentType: string;

  /** yyyy-mm-dd, the exchange's calendar date; null for equities and indices. */
  @Column({ type: 'varchar', length: 10, nullable: true })
  expiry: string | null;

  @Column({ type: 'double precision', nullable: true })
  strike: number | null;

  @Column({ type: 'integer' })
  lotSize: number;

  @Column({ type: 'double precision' })
  tickSize: number;

  @Column({ type: 'double precision', nullable: true })
  lastPrice: number | null;
}
