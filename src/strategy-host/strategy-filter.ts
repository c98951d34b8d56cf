import type { AnyOrderEvent } from '../events/order.events';
import type { LegInfo, OrderEventFilter } from './strategy.interfaces';

type Pattern = string | RegExp | Array<string | RegExp>;

/** Every option an OrderEventFilter knows (the explorer refuses others: a typo would silently widen or narrow a handler). */
export const FILTER_OPTIONS: ReadonlyArray<keyof OrderEventFilter> = [
  'tag',
  'own',
  'legName',
  'tradingsymbol',
  'exchange',
  'transactionType',
  'sources',
  'external',
];

export function matches(value: string | null | undefined, pattern: Pattern | undefined): boolean {
  if (pattern === undefined) return true;
  if (value === null || value === undefined) return false;
  return [pattern].flat().some((p) => (typeof p === 'string' ? p === value : p.test(value)));
}

/** Whether a handler of `strategy` with `filter` wants the event (its order, and the leg behind it if any). Pure. */
export function wants(strategy: string, filter: OrderEventFilter, event: AnyOrderEvent, leg: LegInfo | null): boolean {
  const order = event.order;
  const own = leg?.strategy === strategy;
  if (filter.sources && !filter.sources.includes(event.source)) return false;
  if ((filter.own || filter.legName !== undefined) && !own) return false;
  if (filter.legName !== undefined && !matches(leg?.legName, filter.legName)) return false;
  if (!matches(order.tradingsymbol, filter.tradingsymbol)) return false;
  if (!matches(order.exchange, filter.exchange)) return false;
  if (filter.transactionType && order.transactionType !== filter.transactionType) return false;
  if (filter.tag !== undefined) return matches(order.tag, filter.tag);
  // No tag asked for: this strategy's own legs, or anything at all when it opted in to external orders.
  return own || filter.external === true;
}
