/**
 * Realised P&L through the day, per strategy and in total: each FIFO match of a chain (pnl.ts) counts at the time of
 * the fill that closed it, so the last point of each line is the strategy's realised P&L in the table. Pure.
 */
import { ChainPnl, roundMoney } from './pnl';

export interface PnlOverDay {
  /** IST times ("yyyy-mm-dd hh:mm:ss") at which realised P&L changed, ascending. */
  times: string[];
  /** Cumulative realised P&L of each strategy at each time (one value per entry of `times`), by strategy name. */
  strategies: Array<{ strategy: string; realised: number[] }>;
  total: number[];
}

/**
 * @param chains    the day's chains with their P&L (TradeLogService.chains)
 * @param fillTime  IST time of a fill by its id (the `seq` of pnl.ts); a match whose closing fill has no known time
 *                  counts at the chain's start, so the lines still end at the table's figures
 */
export function realisedOverDay(
  chains: ReadonlyArray<{ strategy: string; startedAt: string; pnl: ChainPnl }>,
  fillTime: (fillId: number) => string | undefined,
): PnlOverDay {
  const changes: Array<{ time: string; strategy: string; pnl: number }> = [];
  for (const chain of chains) {
    for (const match of chain.pnl.matches) {
      if (match.pnl === null) continue; // an unpriced side adds no money until it is priced, as in the table
      changes.push({ time: fillTime(match.closedBy) ?? chain.startedAt, strategy: chain.strategy, pnl: match.pnl });
    }
  }
  changes.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));

  const names = [...new Set(chains.map((c) => c.strategy))].sort();
  const running = new Map(names.map((name) => [name, 0]));
  const result: PnlOverDay = { times: [], strategies: names.map((strategy) => ({ strategy, realised: [] })), total: [] };
  let total = 0;
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i];
    running.set(change.strategy, running.get(change.strategy)! + change.pnl);
    total += change.pnl;
    if (changes[i + 1]?.time === change.time) continue; // one point per time
    result.times.push(change.time);
    result.strategies.forEach((line) => line.realised.push(roundMoney(running.get(line.strategy)!)));
    result.total.push(roundMoney(total));
  }
  return result;
}
