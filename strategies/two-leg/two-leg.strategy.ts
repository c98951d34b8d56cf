import { OnOrderEvent, OrderCompletedEvent, OrderEventName, Strategy, StrategyContext, StrategyEnvironment } from '../../src/sdk';

/** Entry orders carry this Kite tag to ask for a target exit. */
export const TWO_LEG_ENTRY_TAG = 'twoleg';

/** Prices on NSE/NFO move in ticks of 0.05. */
const roundToTick = (price: number, tick = 0.05) => Math.round(Math.round(price / tick) * tick * 100) / 100;

/**
 * Two-leg chain. When an entry order tagged `twoleg` completes, place its exit: a LIMIT order on the other side for
 * the filled quantity, at the entry's average price ± TWO_LEG_TARGET_POINTS (a BUY entry exits above, a SELL below).
 *
 * Settings: TWO_LEG_TARGET_POINTS (default 5).
 */
@Strategy({ name: 'two-leg', description: 'exit at a target when a tagged entry completes' })
export class TwoLegStrategy {
  private readonly targetPoints: number;

  constructor(environment: StrategyEnvironment) {
    this.targetPoints = environment.for('two-leg').number('target_points', 5, { min: 0.05 });
  }

  @OnOrderEvent(OrderEventName.Completed, { tag: TWO_LEG_ENTRY_TAG })
  async onEntryCompleted(event: OrderCompletedEvent, ctx: StrategyContext): Promise<void> {
    const entry = event.order;
    if (entry.filledQuantity <= 0 || !entry.exchange || !entry.tradingsymbol || !entry.product) return;
    const buy = entry.transactionType === 'BUY';
    const price = roundToTick(entry.averagePrice + (buy ? this.targetPoints : -this.targetPoints));
    const outcome = await ctx.placeLeg('exit', {
      exchange: entry.exchange,
      tradingsymbol: entry.tradingsymbol,
      transaction_type: buy ? 'SELL' : 'BUY',
      quantity: entry.filledQuantity,
      product: entry.product,
      order_type: 'LIMIT',
      price,
      validity: 'DAY',
    });
    ctx.logger.log(
      `entry ${entry.orderId} filled ${entry.filledQuantity} @ ${entry.averagePrice}: exit ${outcome.status} at ${price}${outcome.orderId ? ` (order ${outcome.orderId})` : ''}`,
    );
  }
}
