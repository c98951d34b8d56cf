import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, SelectQueryBuilder, WhereExpressionBuilder } from 'typeorm';
import { Leg, LegStatus } from '../broker/entities/leg.entity';
import { Fill } from '../orders/entities/fill.entity';
import { OrderEventRecord } from '../orders/entities/order-event.entity';
import { Order } from '../orders/entities/order.entity';
import { formatIst } from '../market/ist-time';
import { chainPnl, InstrumentPnl, PnlFill, roundMoney, strategyPnl } from './pnl';
import { ChainView, FillRow, LEG_STATUSES, LegRow, OrderDetail, OrderEventView, OrderRow, PnlReport, TimelineItem, TradeLogFilter } from './trade-log.types';

/** Rejected filter values (the controller answers 400, the CLI prints the message). */
export class TradeLogFilterError extends Error {}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** IN lists are split so neither SQLite's nor PostgreSQL's parameter limit is ever reached. */
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** The IST trading day as [start, end): IST strings for Kite's timestamps, UTC instants for legwork's own columns. */
function dayRange(date: string) {
  const parsed = new Date(`${date}T00:00:00Z`);
  if (!DAY.test(date) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new TradeLogFilterError(`date must be yyyy-mm-dd, got "${date}"`);
  }
  const from = new Date(`${date}T00:00:00+05:30`);
  const to = new Date(from.getTime() + 86_400_000);
  return { istFrom: `${date} 00:00:00`, istTo: `${formatIst(to).slice(0, 10)} 00:00:00`, from, to };
}

function isLegStatus(status: string): status is LegStatus {
  return (LEG_STATUSES as readonly string[]).includes(status.toLowerCase());
}

function legRow(leg: Leg, filledQuantity = 0): LegRow {
  let request: unknown = leg.request;
  try {
    request = JSON.parse(leg.request);
  } catch {
    // kept as the stored text
  }
  const quantity = Number((request as { quantity?: unknown } | null)?.quantity);
  return {
    id: leg.id,
    strategy: leg.strategy,
    chainId: leg.chainId,
    legName: leg.legName,
    parentOrderId: leg.parentOrderId,
    tag: leg.tag,
    status: leg.status,
    orderId: leg.orderId,
    attempts: leg.attempts,
    errorType: leg.errorType,
    lastError: leg.lastError,
    createdAt: formatIst(leg.createdAt),
    request,
    slice: leg.slice,
    slices: leg.slices,
    slicing: leg.slicing,
    quantity: Number.isFinite(quantity) ? quantity : null,
    filledQuantity,
  };
}

interface Membership {
  chainId: string;
  strategy: string;
  legName: string;
}

function orderRow(order: Order, membership: Membership | undefined): OrderRow {
  return {
    orderId: order.orderId,
    chainId: membership?.chainId ?? null,
    strategy: membership?.strategy ?? null,
    legName: membership?.legName ?? null,
    tag: order.tag,
    exchange: order.exchange,
    tradingsymbol: order.tradingsymbol,
    transactionType: order.transactionType,
    orderType: order.orderType,
    product: order.product,
    quantity: order.quantity,
    filledQuantity: order.filledQuantity,
    price: order.price,
    triggerPrice: order.triggerPrice,
    averagePrice: order.averagePrice,
    status: order.status,
    statusMessage: order.statusMessage,
    orderTimestamp: order.orderTimestamp,
    exchangeUpdateTimestamp: order.exchangeUpdateTimestamp,
  };
}

function fillRow(fill: Fill, membership: Membership | undefined, exchange: string | null): FillRow {
  return {
    id: fill.id,
    orderId: fill.orderId,
    chainId: membership?.chainId ?? null,
    strategy: membership?.strategy ?? null,
    exchange,
    tradingsymbol: fill.tradingsymbol,
    transactionType: fill.transactionType,
    quantity: fill.quantity,
    price: fill.price === null ? null : roundMoney(fill.price),
    cumulativeQuantity: fill.cumulativeQuantity,
    time: fillTime(fill),
  };
}

/** When the fill happened at the exchange (IST), else when legwork stored it. */
const fillTime = (fill: Fill): string => fill.exchangeTimestamp ?? formatIst(fill.createdAt);

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Realised P&L per chain, per strategy and in total, of chains already read (TradeLogService.chains). */
export function pnlReportOf(chains: ChainView[]): PnlReport {
  const rows = chains.map((c) => ({
    chainId: c.chainId,
    strategy: c.strategy,
    date: c.date,
    tradingsymbols: c.tradingsymbols,
    matchedQuantity: c.pnl.matchedQuantity,
    openQuantity: c.pnl.openQuantity,
    realised: c.pnl.realised,
  }));
  return {
    chains: rows,
    strategies: strategyPnl(chains.map((c) => ({ strategy: c.strategy, pnl: c.pnl }))),
    total: {
      chains: rows.length,
      matchedQuantity: rows.reduce((sum, r) => sum + r.matchedQuantity, 0),
      realised: roundMoney(rows.reduce((sum, r) => sum + r.realised, 0)),
    },
  };
}

/** Fills as pnl.ts takes them: in time order of the exchange, per exchange + tradingsymbol (from their orders). */
function pnlFillsOf(fills: Fill[], orders: Map<string, Order>): PnlFill[] {
  return fills
    .filter((f) => f.transactionType === 'BUY' || f.transactionType === 'SELL')
    .map((f) => ({
      seq: f.id,
      time: fillTime(f),
      exchange: orders.get(f.orderId)?.exchange ?? null,
      tradingsymbol: f.tradingsymbol ?? orders.get(f.orderId)?.tradingsymbol ?? '?',
      side: f.transactionType as 'BUY' | 'SELL',
      quantity: f.quantity,
      price: f.price,
    }));
}

/**
 * Read-only queries over the trade log, for the CLI, the /trades page and its JSON API. Only TypeORM query builders
 * with portable SQL (no SQLite functions), so they run on PostgreSQL too. Nothing here writes.
 *
 * A chain is the set of legs sharing a chainId, plus its root (entry) order, whose id is the chainId: that order
 * usually has no legs row of its own.
 */
@Injectable()
export class TradeLogService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Trading days (IST) that have orders, newest first. */
  async days(limit = 60): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(Order)
      .createQueryBuilder('o')
      .select('SUBSTR(o.orderTimestamp, 1, 10)', 'day')
      .distinct(true)
      .where('o.orderTimestamp IS NOT NULL')
      .orderBy('day', 'DESC')
      .limit(limit)
      .getRawMany<{ day: string }>();
    return rows.map((r) => r.day);
  }

  /** Chains matching the filter, oldest first, each with its timeline and P&L. */
  async chains(filter: TradeLogFilter = {}): Promise<ChainView[]> {
    const chainIds = await this.matchingChainIds(filter);
    if (chainIds.length === 0) return [];

    const legs: Leg[] = [];
    for (const ids of chunks(chainIds)) {
      legs.push(...(await this.dataSource.getRepository(Leg).createQueryBuilder('leg').where('leg.chainId IN (:...ids)', { ids }).getMany()));
    }
    const orderIds = [...new Set([...chainIds, ...legs.flatMap((leg) => (leg.orderId ? [leg.orderId] : []))])];
    const orders = new Map((await this.ordersByIds(orderIds)).map((o) => [o.orderId, o]));
    const fills = await this.fillsByOrderIds([...orders.keys()]);

    const legsByChain = new Map<string, Leg[]>();
    for (const leg of legs) legsByChain.set(leg.chainId, [...(legsByChain.get(leg.chainId) ?? []), leg]);

    const views: ChainView[] = [];
    for (const chainId of chainIds) {
      const chainLegs = (legsByChain.get(chainId) ?? []).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
      const strategy = [...new Set(chainLegs.map((l) => l.strategy))].sort(byText).join('+');
      const membership = (legName: string): Membership => ({ chainId, strategy, legName });

      const timeline: TimelineItem[] = [];
      const root = orders.get(chainId);
      const legOrderIds = new Set(chainLegs.map((l) => l.orderId));
      if (root && !legOrderIds.has(chainId)) {
        const order = orderRow(root, membership('entry'));
        timeline.push({ at: root.orderTimestamp ?? formatIst(root.createdAt), kind: 'entry', legName: 'entry', leg: null, order });
      }
      // A leg sent as slices: the leg (what filled of it in all) and, after it, each slice with its order.
      const filledOf = (leg: Leg) => (leg.orderId ? (orders.get(leg.orderId)?.filledQuantity ?? 0) : 0);
      for (const leg of chainLegs) {
        const placed = leg.orderId ? orders.get(leg.orderId) : undefined;
        const filled = leg.slices > 0 ? chainLegs.filter((s) => s.sliceOf === leg.id).reduce((sum, s) => sum + filledOf(s), 0) : filledOf(leg);
        timeline.push({
          at: placed?.orderTimestamp ?? formatIst(leg.createdAt),
          kind: leg.slice > 0 ? 'slice' : 'leg',
          legName: leg.legName,
          leg: legRow(leg, filled),
          order: placed ? orderRow(placed, membership(leg.legName)) : null,
        });
      }
      timeline.sort((a, b) => byText(a.at, b.at));

      const chainOrderIds = new Set(timeline.flatMap((t) => (t.order ? [t.order.orderId] : [])));
      const pnlFills = pnlFillsOf(
        fills.filter((f) => chainOrderIds.has(f.orderId)),
        orders,
      );
      const startedAt = timeline[0]?.at ?? '';
      views.push({
        chainId,
        strategy,
        date: startedAt.slice(0, 10),
        startedAt,
        rootOrderId: chainId,
        tradingsymbols: [...new Set(timeline.flatMap((t) => (t.order?.tradingsymbol ? [t.order.tradingsymbol] : [])))].sort(byText),
        timeline,
        pnl: chainPnl(pnlFills),
      });
    }
    return views.sort((a, b) => byText(a.startedAt, b.startedAt) || byText(a.chainId, b.chainId));
  }

  /** Orders matching the filter, by order time, with the chain, strategy and leg each belongs to. */
  async orders(filter: TradeLogFilter = {}): Promise<OrderRow[]> {
    let rows: OrderRow[];
    if (filter.strategy || filter.chain) {
      const chains = await this.chains({ strategy: filter.strategy, chain: filter.chain });
      rows = chains.flatMap((c) => c.timeline.flatMap((t) => (t.order ? [t.order] : [])));
      const range = filter.date ? dayRange(filter.date) : null;
      rows = rows.filter(
        (o) =>
          (!range || (o.orderTimestamp !== null && o.orderTimestamp >= range.istFrom && o.orderTimestamp < range.istTo)) &&
          (!filter.tradingsymbol || o.tradingsymbol === filter.tradingsymbol) &&
          (!filter.status || isLegStatus(filter.status) || o.status === filter.status.toUpperCase()),
      );
      if (filter.status && isLegStatus(filter.status)) {
        const status = filter.status.toLowerCase();
        const withLegStatus = new Set(chains.flatMap((c) => c.timeline.flatMap((t) => (t.leg?.status === status && t.order ? [t.order.orderId] : []))));
        rows = rows.filter((o) => withLegStatus.has(o.orderId));
      }
    } else {
      const query = this.dataSource.getRepository(Order).createQueryBuilder('o');
      this.whereOrders(query, 'o', filter);
      if (filter.status && isLegStatus(filter.status)) {
        query.andWhere(
          (qb) => {
            const sub = qb.subQuery().select('l.orderId').from(Leg, 'l').where('l.status = :legStatus').getQuery();
            return `o.orderId IN ${sub}`;
          },
          { legStatus: filter.status.toLowerCase() },
        );
      }
      const orders = await query.getMany();
      const membership = await this.membershipOf(orders.map((o) => o.orderId));
      rows = orders.map((o) => orderRow(o, membership.get(o.orderId)));
    }
    return rows.sort((a, b) => byText(a.orderTimestamp ?? '', b.orderTimestamp ?? '') || byText(a.orderId, b.orderId));
  }

  /** Fills of the orders matching the filter, in time order. */
  async fills(filter: TradeLogFilter = {}): Promise<FillRow[]> {
    const orders = await this.orders(filter);
    const membership = new Map(orders.map((o) => [o.orderId, o]));
    const fills = await this.fillsByOrderIds(orders.map((o) => o.orderId));
    return fills
      .map((f) => {
        const o = membership.get(f.orderId);
        return fillRow(f, o?.chainId ? { chainId: o.chainId, strategy: o.strategy ?? '', legName: o.legName ?? '' } : undefined, o?.exchange ?? null);
      })
      .sort((a, b) => byText(a.time, b.time) || a.id - b.id);
  }

  /** One order with its state history (order_events), fills and the leg that placed it. null if unknown. */
  async order(orderId: string): Promise<OrderDetail | null> {
    const order = await this.dataSource.getRepository(Order).findOne({ where: { orderId } });
    if (!order) return null;
    const membership = (await this.membershipOf([orderId])).get(orderId);
    const leg = await this.dataSource.getRepository(Leg).findOne({ where: { orderId } });
    const events = await this.dataSource
      .getRepository(OrderEventRecord)
      .createQueryBuilder('e')
      .where('e.orderId = :orderId', { orderId })
      .orderBy('e.id', 'ASC')
      .getMany();
    const fills = await this.fillsByOrderIds([orderId]);
    return {
      order: orderRow(order, membership),
      leg: leg ? legRow(leg, order.filledQuantity) : null,
      events: events.map((e) => this.eventView(e)),
      fills: fills.map((f) => fillRow(f, membership, order.exchange)),
    };
  }

  /**
   * Net quantity per instrument (exchange + tradingsymbol) of a trading day's fills, of every order legwork knows —
   * legs, chain entries, external orders — netted by pnl.ts (signed `openQuantity`: bought minus sold).
   */
  async dayNet(date: string): Promise<InstrumentPnl[]> {
    const { istFrom, istTo } = dayRange(date);
    const orders = await this.dataSource
      .getRepository(Order)
      .createQueryBuilder('o')
      .where('o.orderTimestamp >= :istFrom AND o.orderTimestamp < :istTo', { istFrom, istTo })
      .getMany();
    const byId = new Map(orders.map((o) => [o.orderId, o]));
    return chainPnl(pnlFillsOf(await this.fillsByOrderIds([...byId.keys()]), byId)).instruments;
  }

  /** Realised P&L per chain and per strategy for the chains matching the filter. */
  async pnl(filter: TradeLogFilter = {}): Promise<PnlReport> {
    return pnlReportOf(await this.chains(filter));
  }

  private eventView(e: OrderEventRecord): OrderEventView {
    let payload: { order?: { exchangeUpdateTimestamp?: string | null }; reason?: string; changes?: string[]; fill?: OrderEventView['fill'] } = {};
    try {
      payload = JSON.parse(e.payload) as typeof payload;
    } catch {
      // an unreadable payload still shows its type and status
    }
    return {
      id: e.id,
      type: e.type,
      status: e.status,
      filledQuantity: e.filledQuantity,
      source: e.source,
      recordedAt: e.createdAt.toISOString(),
      exchangeUpdateTimestamp: payload.order?.exchangeUpdateTimestamp ?? null,
      reason: payload.reason ?? null,
      changes: payload.changes ?? null,
      fill: payload.fill ?? null,
    };
  }

  /** Conditions on the orders table: trading day, instrument, order status. */
  private whereOrders(query: WhereExpressionBuilder, alias: string, filter: TradeLogFilter, suffix = ''): void {
    if (filter.date) {
      const { istFrom, istTo } = dayRange(filter.date);
      query.andWhere(`${alias}.orderTimestamp >= :istFrom${suffix} AND ${alias}.orderTimestamp < :istTo${suffix}`, {
        [`istFrom${suffix}`]: istFrom,
        [`istTo${suffix}`]: istTo,
      });
    }
    if (filter.tradingsymbol) query.andWhere(`${alias}.tradingsymbol = :symbol${suffix}`, { [`symbol${suffix}`]: filter.tradingsymbol });
    if (filter.status && !isLegStatus(filter.status)) {
      query.andWhere(`${alias}.status = :status${suffix}`, { [`status${suffix}`]: filter.status.toUpperCase() });
    }
  }

  /**
   * Ids of the chains with a leg of the strategy/chain asked for and, for each order condition (day, instrument,
   * status), at least one order meeting it: the root order or an order placed by a leg.
   */
  private async matchingChainIds(filter: TradeLogFilter): Promise<string[]> {
    if (filter.date) dayRange(filter.date); // validate before querying
    const query = this.dataSource.getRepository(Leg).createQueryBuilder('leg').select('leg.chainId', 'chainId').distinct(true);
    if (filter.strategy) query.andWhere('leg.strategy = :strategy', { strategy: filter.strategy });
    if (filter.chain) query.andWhere('leg.chainId = :chain', { chain: filter.chain });

    const conditions: Array<[TradeLogFilter, string]> = [];
    if (filter.date) conditions.push([{ date: filter.date }, 'D']);
    if (filter.tradingsymbol) conditions.push([{ tradingsymbol: filter.tradingsymbol }, 'S']);
    if (filter.status && !isLegStatus(filter.status)) conditions.push([{ status: filter.status }, 'T']);

    for (const [condition, suffix] of conditions) {
      query.andWhere((outer: SelectQueryBuilder<Leg>) => {
        const sub = outer.subQuery().select(`o${suffix}.orderId`).from(Order, `o${suffix}`);
        this.whereOrders(sub, `o${suffix}`, condition, suffix);
        const orderIdsSql = sub.getQuery();
        outer.setParameters(sub.getParameters());
        const legsSub = outer
          .subQuery()
          .select(`l${suffix}.chainId`)
          .from(Leg, `l${suffix}`)
          .where(`l${suffix}.orderId IN ${orderIdsSql} OR l${suffix}.chainId IN ${orderIdsSql}`)
          .getQuery();
        if (suffix !== 'D') return `leg.chainId IN ${legsSub}`;
        // A chain whose legs were recorded that day but never reached Kite still belongs to the day.
        const { from, to } = dayRange(filter.date!);
        outer.setParameters({ legFrom: from, legTo: to });
        const recorded = outer.subQuery().select('lr.chainId').from(Leg, 'lr').where('lr.createdAt >= :legFrom AND lr.createdAt < :legTo').getQuery();
        return `(leg.chainId IN ${legsSub} OR leg.chainId IN ${recorded})`;
      });
    }
    if (filter.status && isLegStatus(filter.status)) {
      query.andWhere(
        (outer: SelectQueryBuilder<Leg>) =>
          `leg.chainId IN ${outer.subQuery().select('ls.chainId').from(Leg, 'ls').where('ls.status = :legStatus').getQuery()}`,
        { legStatus: filter.status.toLowerCase() },
      );
    }
    const rows = await query.getRawMany<{ chainId: string }>();
    return rows.map((r) => r.chainId);
  }

  /** Which chain, strategy and leg each order belongs to: as a leg's order, or as a chain's root. */
  private async membershipOf(orderIds: string[]): Promise<Map<string, Membership>> {
    const result = new Map<string, Membership>();
    const legs: Leg[] = [];
    for (const ids of chunks(orderIds)) {
      legs.push(
        ...(await this.dataSource
          .getRepository(Leg)
          .createQueryBuilder('leg')
          .where('leg.orderId IN (:...ids) OR leg.chainId IN (:...ids)', { ids })
          .getMany()),
      );
    }
    const strategies = new Map<string, Set<string>>();
    for (const leg of legs) strategies.set(leg.chainId, (strategies.get(leg.chainId) ?? new Set()).add(leg.strategy));
    const strategyOf = (chainId: string) => [...(strategies.get(chainId) ?? [])].sort(byText).join('+');
    for (const leg of legs) {
      if (!result.has(leg.chainId)) result.set(leg.chainId, { chainId: leg.chainId, strategy: strategyOf(leg.chainId), legName: 'entry' });
    }
    for (const leg of legs) {
      if (leg.orderId) result.set(leg.orderId, { chainId: leg.chainId, strategy: strategyOf(leg.chainId), legName: leg.legName });
    }
    return result;
  }

  private async ordersByIds(orderIds: string[]): Promise<Order[]> {
    const orders: Order[] = [];
    for (const ids of chunks(orderIds)) {
      orders.push(...(await this.dataSource.getRepository(Order).createQueryBuilder('o').where('o.orderId IN (:...ids)', { ids }).getMany()));
    }
    return orders;
  }

  private async fillsByOrderIds(orderIds: string[]): Promise<Fill[]> {
    const fills: Fill[] = [];
    for (const ids of chunks(orderIds)) {
      fills.push(
        ...(await this.dataSource.getRepository(Fill).createQueryBuilder('f').where('f.orderId IN (:...ids)', { ids }).orderBy('f.id', 'ASC').getMany()),
      );
    }
    return fills;
  }
}
