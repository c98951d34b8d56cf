/*
 * A strategy template. Copy this folder to strategies/<your-name>/ and rename the file to <your-name>.strategy.ts
 * (folders and files starting with "_" are skipped, so this one never runs). Restart legwork: it is discovered.
 *
 * How it works:
 *   - @Strategy({ name }) makes the class a plugin; the name is what STRATEGIES=... selects and what the trade log
 *     records on every leg. The class is a Nest provider: ask for anything you need in the constructor.
 *   - @OnOrderEvent(event(s), filter) subscribes a method. You receive the typed event and a context.
 *     By default you only see orders tagged for you (filter.tag) or legs you placed (filter.own: true);
 *     add `external: true` to also see orders nobody tagged.
 *   - ctx.placeLeg(legName, order) places an order exactly once per (strategy, parent order, legName) — even if the
 *     same event is delivered twice or legwork restarts halfway. Pick leg names that say what the leg is.
 *   - ctx.instruments answers from the day's Kite instrument list: lot and tick sizes, listed expiries and strikes
 *     (e.g. ctx.instruments.nearestStrike(...) to pick an option that exists rather than computing its symbol).
 *   - Handlers should be quick. A handler that throws is logged and counted; one that runs past STRATEGY_TIMEOUT_MS
 *     is reported and the engine moves on. Neither affects other strategies or postback ingress.
 */
import { OnOrderEvent, OrderCompletedEvent, OrderEventName, OrderFilledEvent, Strategy, StrategyContext, StrategyEnvironment } from '../../src/sdk';

@Strategy({ name: 'my-strategy', description: 'what it does, in one line' })
export class MyStrategy {
  private readonly stopLossPoints: number;

  // Settings come from the environment as <NAME>_<KEY>: here MY_STRATEGY_STOP_LOSS_POINTS. Bad values stop the start.
  constructor(environment: StrategyEnvironment) {
    this.stopLossPoints = environment.for('my-strategy').number('stop_loss_points', 10, { min: 0.05 });
  }

  // Your entry orders carry the Kite tag 'mystrat' (alphanumeric, at most 20 characters).
  @OnOrderEvent(OrderEventName.Completed, { tag: 'mystrat', transactionType: 'BUY' })
  async onEntryCompleted(event: OrderCompletedEvent, ctx: StrategyContext): Promise<void> {
    const entry = event.order;
    const outcome = await ctx.placeLeg('stop-loss', {
      exchange: entry.exchange ?? 'NSE',
      tradingsymbol: entry.tradingsymbol ?? '',
      transaction_type: 'SELL',
      quantity: entry.filledQuantity,
      product: entry.product ?? 'MIS',
      order_type: 'SL-M',
      trigger_price: Math.round((entry.averagePrice - this.stopLossPoints) * 20) / 20,
      market_protection: -1, // Kite refuses MARKET and SL-M orders without market protection
    });
    if (outcome.status === 'failed') ctx.logger.warn(`stop-loss not placed: ${outcome.error?.message}`);
  }

  // Legs you placed come back as events too: react to your own stop-loss filling.
  @OnOrderEvent(OrderEventName.Filled, { own: true, legName: 'stop-loss' })
  onStopLossFilled(event: OrderFilledEvent, ctx: StrategyContext): void {
    ctx.notifier.notify({
      title: `Stop-loss hit on ${event.order.tradingsymbol}`,
      text: `${event.fill.quantity} @ ${event.fill.price}`,
      severity: 'info',
      fields: { chain: ctx.leg?.chainId ?? null },
    });
  }
}
