import { OnOrderEvent, OrderCompletedEvent, OrderEventName, Strategy, StrategyContext, StrategyEnvironment } from '../../src/sdk';

/** Entry orders carrying this Kite tag get an OCO GTT (stop-loss and target) once they complete. */
export const OCO_ENTRY_TAG = 'ocoprot';
/** The GTT's name: its fired order becomes leg `protect:stop` or `protect:target` of the entry's chain. */
export const PROTECT = 'protect';

/** Prices on NSE/NFO move in ticks of 0.05: round to one. */
const toTick = (price: number) => Math.round(price * 20) / 20;

/**
 * OCO protection that does not depend on legwork staying up. When an entry tagged `ocoprot` completes, an OCO GTT is
 * placed at Kite for the filled quantity: a stop-loss OCO_PROTECT_STOP_PERCENT below the average price (its LIMIT
 * order OCO_PROTECT_STOP_LIMIT_PERCENT further away, so it fills in a fast market) and a target
 * OCO_PROTECT_TARGET_PERCENT above (mirrored for a short entry). Kite fires whichever is reached first and lets the
 * other lie dormant, even while legwork is down. The order it fires comes back to this strategy as its own leg.
 *
 * Closed another way — an order on the same instrument in the closing direction completes that is not the GTT's own
 * (a manual exit in Kite, another tool, the timed square-off) — the GTT is deleted, so it cannot open a new position
 * later. GTTs take CNC (equity) or NRML (F&O) orders only, so enter with one of those products.
 *
 * Settings: OCO_PROTECT_STOP_PERCENT (2), OCO_PROTECT_TARGET_PERCENT (4), OCO_PROTECT_STOP_LIMIT_PERCENT (0.5).
 */
@Strategy({
  name: 'oco-protect',
  description: 'an OCO GTT (stop-loss and target) at Kite for every tagged entry; deleted when the position is closed another way',
})
export class OcoProtectStrategy {
  private readonly stopPercent: number;
  private readonly targetPercent: number;
  private readonly stopLimitPercent: number;

  constructor(environment: StrategyEnvironment) {
    const settings = environment.for('oco-protect');
    this.stopPercent = settings.number('stop_percent', 2, { min: 0.3, max: 50 });
    this.targetPercent = settings.number('target_percent', 4, { min: 0.3, max: 100 });
    this.stopLimitPercent = settings.number('stop_limit_percent', 0.5, { min: 0, max: 10 });
  }

  @OnOrderEvent(OrderEventName.Completed, { tag: OCO_ENTRY_TAG })
  async onEntryCompleted(event: OrderCompletedEvent, ctx: StrategyContext): Promise<void> {
    const entry = event.order;
    const long = entry.transactionType === 'BUY';
    const average = entry.averagePrice;
    const away = (percent: number, down: boolean) => toTick(average * (1 + (down ? -percent : percent) / 100));
    // Long: the stop is below and the target above, both SELL. Short: mirrored, both BUY.
    const stopTrigger = away(this.stopPercent, long);
    const order = (price: number) => ({
      transaction_type: long ? ('SELL' as const) : ('BUY' as const),
      quantity: entry.filledQuantity,
      product: entry.product ?? 'CNC',
      price,
    });
    const outcome = await ctx.placeGtt(PROTECT, {
      exchange: entry.exchange ?? 'NSE',
      tradingsymbol: entry.tradingsymbol ?? '',
      lastPrice: average,
      stop: { trigger: stopTrigger, order: order(toTick(stopTrigger * (1 + (long ? -this.stopLimitPercent : this.stopLimitPercent) / 100))) },
      target: { trigger: away(this.targetPercent, !long), order: order(away(this.targetPercent, !long)) },
    });
    if (outcome.status === 'failed') ctx.logger.warn(`no GTT for entry ${entry.orderId}: ${outcome.error?.message ?? 'refused'}`);
  }

  /** The GTT fired and its order completed: the position is closed by the stop or the target. */
  @OnOrderEvent(OrderEventName.Completed, { own: true, legName: /^protect:/ })
  onProtectionFilled(event: OrderCompletedEvent, ctx: StrategyContext): void {
    const which = ctx.leg?.legName === `${PROTECT}:stop` ? 'stop-loss' : 'target';
    ctx.notifier.notify({
      title: `oco-protect: ${which} filled on ${event.order.tradingsymbol}`,
      text: `${event.order.transactionType} ${event.order.filledQuantity} @ ${event.order.averagePrice} (entry ${ctx.leg?.parentOrderId})`,
      severity: 'info',
      fields: { chain: ctx.leg?.chainId ?? null, leg: ctx.leg?.legName ?? null },
    });
  }

  /** Any other order that completes on a protected instrument in the closing direction: the position was closed another way. */
  @OnOrderEvent(OrderEventName.Completed, { external: true })
  async onClosedElsewhere(event: OrderCompletedEvent, ctx: StrategyContext): Promise<void> {
    const order = event.order;
    if (ctx.leg?.strategy === 'oco-protect' || order.tag === OCO_ENTRY_TAG || !order.tradingsymbol) return;
    const live = await ctx.gtts({
      status: ['active', 'disabled', 'placing', 'unknown'],
      tradingsymbol: order.tradingsymbol,
      exchange: order.exchange ?? undefined,
    });
    for (const gtt of live) {
      if (gtt.name !== PROTECT || gtt.orders[0]?.transactionType !== order.transactionType) continue;
      await ctx.cancelGtt(PROTECT, { parentOrderId: gtt.parentOrderId });
      ctx.logger.log(`entry ${gtt.parentOrderId}: position closed by order ${order.orderId}; its GTT (trigger ${gtt.triggerId ?? 'not placed yet'}) deleted`);
    }
  }
}
