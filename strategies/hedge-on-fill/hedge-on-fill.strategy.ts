import { OnOrderEvent, OrderEventName, OrderFilledEvent, Strategy, StrategyContext, StrategyEnvironment } from '../../src/sdk';

/** Option sells carrying this Kite tag get hedged as they fill. */
export const HEDGE_ENTRY_TAG = 'hedged';

/**
 * Kite option symbols: underlying, expiry (monthly 24DEC or weekly 24D19 / 24919), strike, CE|PE.
 * e.g. NIFTY24DEC24000CE, BANKNIFTY24D1851000PE.
 */
const OPTION_SYMBOL = /^([A-Z][A-Z0-9&-]*?)(\d{2}(?:[A-Z]{3}|[1-9OND]\d{2}))(\d+(?:\.\d+)?)(CE|PE)$/;

/** The further out-of-the-money option `distance` strikes points away: above for calls, below for puts. */
export function hedgeSymbol(tradingsymbol: string, distance: number): string | null {
  const match = OPTION_SYMBOL.exec(tradingsymbol);
  if (!match) return null;
  const [, underlying, expiry, strike, kind] = match;
  const hedgeStrike = Number(strike) + (kind === 'CE' ? distance : -distance);
  if (!(hedgeStrike > 0)) return null;
  return `${underlying}${expiry}${hedgeStrike}${kind}`;
}

/**
 * Hedge on fill. For each fill of a tagged option SELL, buy the same quantity of the option HEDGE_ON_FILL_DISTANCE
 * points further out of the money, at once. Partial fills are hedged one by one (3 then 7 → hedges of 3 and 7), so
 * the quantity hedged always equals the quantity sold. Each hedge is keyed by the fill's cumulative quantity, so a
 * repeated or replayed fill never buys twice.
 *
 * Settings: HEDGE_ON_FILL_DISTANCE (strike points, default 200), HEDGE_ON_FILL_MARKET_PROTECTION (percent, or -1 for
 * Kite's automatic protection; default -1).
 */
@Strategy({ name: 'hedge-on-fill', description: 'buy a further OTM option for every fill of a tagged option sell' })
export class HedgeOnFillStrategy {
  private readonly distance: number;
  private readonly marketProtection: number;

  constructor(environment: StrategyEnvironment) {
    const settings = environment.for('hedge-on-fill');
    this.distance = settings.number('distance', 200, { min: 1 });
    this.marketProtection = settings.number('market_protection', -1, { min: -1, max: 100 });
  }

  @OnOrderEvent(OrderEventName.Filled, { tag: HEDGE_ENTRY_TAG, transactionType: 'SELL', exchange: ['NFO', 'BFO'] })
  async onSellFilled(event: OrderFilledEvent, ctx: StrategyContext): Promise<void> {
    const sold = event.order;
    const symbol = hedgeSymbol(sold.tradingsymbol ?? '', this.distance);
    if (!symbol) {
      ctx.notifier.notify({
        title: `Cannot hedge ${sold.tradingsymbol}`,
        text: `order ${sold.orderId} filled ${event.fill.quantity} but ${sold.tradingsymbol} is not an option symbol legwork can shift`,
        severity: 'critical',
        fields: { order_id: sold.orderId },
      });
      return;
    }
    await ctx.placeLeg(`hedge-${event.fill.cumulativeQuantity}`, {
      exchange: sold.exchange ?? 'NFO',
      tradingsymbol: symbol,
      transaction_type: 'BUY',
      quantity: event.fill.quantity,
      product: sold.product ?? 'NRML',
      order_type: 'MARKET',
      market_protection: this.marketProtection,
    });
  }
}
