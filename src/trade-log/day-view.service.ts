import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { Fill } from '../orders/entities/fill.entity';
import { OrderAction } from '../rails/entities/order-action.entity';
import { formatIst } from '../market/ist-time';
import { KitePositionsSource, positionKey } from './kite-positions.source';
import { ordersPerMinute, OrderRate } from './order-rate';
import { PnlOverDay, realisedOverDay } from './pnl-over-day';
import { Positions, positionsOf } from './positions';
import { pnlReportOf, TradeLogService } from './trade-log.service';
import type { ChainView, PnlReport } from './trade-log.types';

export interface PositionsView extends Positions {
  date: string;
  /** When Kite's figures beside legwork's were read (ISO); null while there are none. */
  kiteCheckedAt: string | null;
}

export interface PnlOverDayView extends PnlOverDay {
  date: string;
}

export interface OrderRateView extends OrderRate {
  date: string;
}

/** Everything the /trades page draws for a day, from one read of its chains. */
export interface DayView {
  date: string;
  chains: ChainView[];
  pnl: PnlReport;
  positions: PositionsView;
  pnlOverDay: PnlOverDayView;
  orderRate: OrderRateView;
}

/** IN lists are split so neither SQLite's nor PostgreSQL's parameter limit is reached. */
const CHUNK = 500;

/**
 * A trading day as the live page draws it: positions, realised P&L through the day, order actions per minute.
 * Read-only, portable queries; the arithmetic is in the pure modules beside it.
 */
@Injectable()
export class TradeLogDayView {
  constructor(
    private readonly tradeLog: TradeLogService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly kitePositions: KitePositionsSource,
  ) {}

  /** Net open quantity and average price per instrument and per strategy, from the day's fills. */
  async positions(date: string): Promise<PositionsView> {
    const [positions, kite] = await Promise.all([this.tradeLog.fills({ date }).then(positionsOf), this.kitePositions.latest(date)]);
    return {
      date,
      instruments: positions.instruments.map((i) => ({ ...i, kiteNetQuantity: kite?.netQuantity.get(positionKey(i.exchange, i.tradingsymbol)) ?? null })),
      strategies: positions.strategies,
      kiteCheckedAt: kite?.checkedAt ?? null,
    };
  }

  /** Realised P&L of the day's chains through the day, per strategy and in total. */
  async pnlOverDay(date: string): Promise<PnlOverDayView> {
    return this.pnlOverDayOf(date, await this.tradeLog.chains({ date }));
  }

  /**
   * The whole day for the page: each of its reads costs the engine's thread the day's chains, so they are read once
   * and the P&L table and chart are made from them.
   */
  async day(date: string): Promise<DayView> {
    const chains = await this.tradeLog.chains({ date });
    const [positions, pnlOverDay, orderRate] = await Promise.all([this.positions(date), this.pnlOverDayOf(date, chains), this.orderRate(date)]);
    return { date, chains, pnl: pnlReportOf(chains), positions, pnlOverDay, orderRate };
  }

  /** Placements and modifications sent to Kite per minute on the day (order_actions, as the rails counted them). */
  async orderRate(date: string): Promise<OrderRateView> {
    const actions = await this.dataSource.getRepository(OrderAction).find({ select: { action: true, at: true }, where: { tradingDay: date } });
    return { date, ...ordersPerMinute(actions) };
  }

  private async pnlOverDayOf(date: string, chains: ChainView[]): Promise<PnlOverDayView> {
    const times = await this.fillTimes([...new Set(chains.flatMap((c) => c.pnl.matches.map((m) => m.closedBy)))]);
    return { date, ...realisedOverDay(chains, (id) => times.get(id)) };
  }

  /** IST time of each fill: the exchange's when known, else when legwork stored it (as the trade log shows fills). */
  private async fillTimes(ids: number[]): Promise<Map<number, string>> {
    const times = new Map<number, string>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const fills = await this.dataSource
        .getRepository(Fill)
        .find({ select: { id: true, exchangeTimestamp: true, createdAt: true }, where: { id: In(ids.slice(i, i + CHUNK)) } });
      for (const f of fills) times.set(f.id, f.exchangeTimestamp ?? formatIst(f.createdAt));
    }
    return times;
  }
}
