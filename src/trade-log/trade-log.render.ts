import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import type { ChainView, FillRow, OrderRow, PnlChainRow, PnlReport, TimelineItem } from './trade-log.types';
import type { StrategyPnl } from './pnl';
import type { Positions } from './positions';

/** Text renderings of trade-log views for the CLI: tables (cli-table3, no colours), CSV (csv-stringify), JSON. */

export const money = (value: number): string => value.toFixed(2);
const price = (value: number | null | undefined): string => (value ? money(value) : '');
const text = (value: string | number | null | undefined): string => (value === null || value === undefined ? '' : String(value));

/** compact: no rule between rows (single-line rows); multi-line cells need the rules. */
function table(head: string[], rows: string[][], numeric: number[] = [], compact = true): string {
  const t = new Table({
    head,
    style: { head: [], border: [], compact },
    colAligns: head.map((_, i) => (numeric.includes(i) ? 'right' : 'left')),
  });
  t.push(...rows);
  return t.toString();
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function ordersTable(rows: OrderRow[]): string {
  if (rows.length === 0) return 'no orders match\n';
  return `${table(
    ['Time', 'Order', 'Chain', 'Strategy', 'Leg', 'Symbol', 'Side', 'Qty', 'Filled', 'Avg price', 'Status', 'Message'],
    rows.map((o) => [
      text(o.orderTimestamp),
      o.orderId,
      text(o.chainId),
      text(o.strategy),
      text(o.legName),
      text(o.tradingsymbol),
      text(o.transactionType),
      String(o.quantity),
      String(o.filledQuantity),
      price(o.averagePrice),
      o.status,
      text(o.statusMessage),
    ]),
    [7, 8, 9],
  )}\n${plural(rows.length, 'order')}\n`;
}

export function fillsTable(rows: FillRow[]): string {
  if (rows.length === 0) return 'no fills match\n';
  return `${table(
    ['Time', 'Order', 'Chain', 'Strategy', 'Symbol', 'Side', 'Qty', 'Price', 'Cum. qty'],
    rows.map((f) => [
      f.time,
      f.orderId,
      text(f.chainId),
      text(f.strategy),
      text(f.tradingsymbol),
      text(f.transactionType),
      String(f.quantity),
      f.price === null ? 'unpriced' : money(f.price),
      String(f.cumulativeQuantity),
    ]),
    [6, 7, 8],
  )}\n${plural(rows.length, 'fill')}\n`;
}

const stepStatus = (step: TimelineItem) =>
  step.order?.status ?? (step.leg ? `leg ${step.leg.status}${step.leg.slices ? ` (${step.leg.slices} slices)` : ''}` : '');

/** A step's name: a slice is shown under its leg ("exit slice 2"). */
const stepName = (step: TimelineItem) => (step.kind === 'slice' && step.leg ? `${step.legName} slice ${step.leg.slice}` : step.legName);

export function chainsTable(chains: ChainView[]): string {
  if (chains.length === 0) return 'no chains match\n';
  return `${table(
    ['Chain', 'Strategy', 'Started', 'Symbols', 'Steps', 'Realised', 'Open qty'],
    chains.map((c) => [
      c.chainId,
      c.strategy,
      c.startedAt,
      c.tradingsymbols.join('\n'),
      c.timeline.map((step) => `${stepName(step)}: ${stepStatus(step)}`).join('\n'),
      money(c.pnl.realised),
      String(c.pnl.openQuantity),
    ]),
    [5, 6],
    false,
  )}\n${plural(chains.length, 'chain')}\n`;
}

function stepNote(step: TimelineItem): string {
  if (step.order?.statusMessage) return step.order.statusMessage;
  if (step.leg?.lastError) return step.leg.errorType ? `${step.leg.errorType}: ${step.leg.lastError}` : step.leg.lastError;
  return '';
}

/** One chain as a timeline, then its P&L per instrument. */
export function chainDetail(chain: ChainView): string {
  const head = `Chain ${chain.chainId} · ${chain.strategy} · ${chain.date}\n`;
  const steps = table(
    ['Time', 'Step', 'Tag', 'Order', 'Side', 'Qty', 'Symbol', 'Status', 'Filled', 'Avg price', 'Note'],
    chain.timeline.map((step) => [
      step.at,
      stepName(step),
      text(step.leg?.tag ?? step.order?.tag),
      text(step.order?.orderId),
      text(step.order?.transactionType),
      step.order ? String(step.order.quantity) : step.leg?.slices ? String(step.leg.quantity ?? '') : '',
      text(step.order?.tradingsymbol),
      stepStatus(step),
      // A leg sent as slices: what filled of all its slices.
      step.order ? String(step.order.filledQuantity) : step.leg?.slices ? String(step.leg.filledQuantity) : '',
      price(step.order?.averagePrice),
      stepNote(step),
    ]),
    [5, 8, 9],
  );
  const pnl = chain.pnl.instruments.length
    ? table(
        ['Symbol', 'Bought', 'Sold', 'Matched', 'Realised', 'Open qty', 'Open avg'],
        chain.pnl.instruments.map((i, _, all) => [
          // The exchange only where one symbol trades on two (SBIN on NSE and BSE are matched apart).
          `${all.some((o) => o !== i && o.tradingsymbol === i.tradingsymbol) && i.exchange ? `${i.exchange}:` : ''}${i.tradingsymbol}` +
            (i.unpricedQuantity ? ` (${i.unpricedQuantity} unpriced)` : ''),
          // With unpriced fills the average of a side is not known yet.
          `${i.boughtQuantity} @ ${i.unpricedQuantity ? '?' : money(i.boughtQuantity ? i.boughtValue / i.boughtQuantity : 0)}`,
          `${i.soldQuantity} @ ${i.unpricedQuantity ? '?' : money(i.soldQuantity ? i.soldValue / i.soldQuantity : 0)}`,
          String(i.matchedQuantity),
          money(i.realised),
          String(i.openQuantity),
          price(i.openAveragePrice),
        ]),
        [1, 2, 3, 4, 5, 6],
      )
    : 'no fills';
  return `${head}${steps}\n${pnl}\nRealised P&L: ${money(chain.pnl.realised)}\n`;
}

function strategyRows(strategies: StrategyPnl[]): string[][] {
  return strategies.map((s) => [s.strategy, String(s.chains), String(s.openChains), String(s.matchedQuantity), money(s.realised)]);
}

export function pnlTables(report: PnlReport, by: 'chain' | 'strategy' | 'both' = 'both'): string {
  if (report.chains.length === 0) return 'no chains match\n';
  const parts: string[] = [];
  if (by !== 'strategy') {
    parts.push(
      'P&L per chain',
      table(
        ['Chain', 'Strategy', 'Date', 'Symbols', 'Matched qty', 'Open qty', 'Realised'],
        report.chains.map((c) => [
          c.chainId,
          c.strategy,
          c.date,
          c.tradingsymbols.join(' '),
          String(c.matchedQuantity),
          String(c.openQuantity),
          money(c.realised),
        ]),
        [4, 5, 6],
      ),
    );
  }
  if (by !== 'chain') {
    const total = [
      'Total',
      String(report.total.chains),
      String(report.strategies.reduce((n, s) => n + s.openChains, 0)),
      String(report.total.matchedQuantity),
      money(report.total.realised),
    ];
    parts.push(
      'P&L per strategy',
      table(['Strategy', 'Chains', 'Open chains', 'Matched qty', 'Realised'], [...strategyRows(report.strategies), total], [1, 2, 3, 4]),
    );
  }
  return `${parts.join('\n')}\n`;
}

// ---- CSV and JSON exports ----

export function toCsv(rows: Array<Record<string, unknown>>, columns: string[]): string {
  return stringify(rows, { header: true, columns, cast: { boolean: (v) => (v ? 'true' : 'false') } });
}

export const ORDER_COLUMNS: Array<keyof OrderRow> = [
  'orderId',
  'chainId',
  'strategy',
  'legName',
  'tag',
  'exchange',
  'tradingsymbol',
  'transactionType',
  'orderType',
  'product',
  'quantity',
  'filledQuantity',
  'price',
  'triggerPrice',
  'averagePrice',
  'status',
  'statusMessage',
  'orderTimestamp',
  'exchangeUpdateTimestamp',
];
export const FILL_COLUMNS: Array<keyof FillRow> = [
  'id',
  'time',
  'orderId',
  'chainId',
  'strategy',
  'tradingsymbol',
  'transactionType',
  'quantity',
  'price',
  'cumulativeQuantity',
];
export const CHAIN_COLUMNS = ['chainId', 'strategy', 'date', 'startedAt', 'tradingsymbols', 'steps', 'matchedQuantity', 'openQuantity', 'realised'];
export const PNL_CHAIN_COLUMNS: Array<keyof PnlChainRow> = ['chainId', 'strategy', 'date', 'tradingsymbols', 'matchedQuantity', 'openQuantity', 'realised'];
export const PNL_STRATEGY_COLUMNS: Array<keyof StrategyPnl> = ['strategy', 'chains', 'openChains', 'matchedQuantity', 'realised'];

/** A chain flattened to one CSV row (its steps as "leg:status" joined by spaces). */
export function chainCsvRow(c: ChainView): Record<string, unknown> {
  return {
    chainId: c.chainId,
    strategy: c.strategy,
    date: c.date,
    startedAt: c.startedAt,
    tradingsymbols: c.tradingsymbols.join(' '),
    steps: c.timeline
      .map((step) => `${step.legName}${step.kind === 'slice' && step.leg ? `#${step.leg.slice}` : ''}:${stepStatus(step).replace(/ /g, '_')}`)
      .join(' '),
    matchedQuantity: c.pnl.matchedQuantity,
    openQuantity: c.pnl.openQuantity,
    realised: c.pnl.realised,
  };
}

export const toJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Net open quantity per instrument (legwork's, and Kite's once the positions check reports it) and per strategy. */
export function positionsTables(positions: Positions): string {
  if (positions.instruments.length === 0) return 'no fills: no positions\n';
  const net = (q: number) => (q > 0 ? `+${q}` : String(q));
  return `${[
    "Positions (net of the day's fills, FIFO average price of what is open)",
    table(
      ['Symbol', 'Net qty', 'Avg price', 'Kite net qty'],
      positions.instruments.map((i) => [i.tradingsymbol, net(i.netQuantity), price(i.averagePrice), i.kiteNetQuantity === null ? '—' : net(i.kiteNetQuantity)]),
      [1, 2, 3],
    ),
    'Positions per strategy',
    table(
      ['Strategy', 'Symbol', 'Net qty', 'Avg price'],
      positions.strategies.map((s) => [s.strategy, s.tradingsymbol, net(s.netQuantity), price(s.averagePrice)]),
      [2, 3],
    ),
  ].join('\n')}\n`;
}
