import {
  InstrumentInfo,
  InstrumentLookup,
  OnOrderEvent,
  OrderEventName,
  OrderFilledEvent,
  Strategy,
  StrategyContext,
  StrategyEnvironment,
} from '../../src/sdk';

/** Option sells carrying this Kite tag get hedged as they fill. */
export const HEDGE_ENTRY_TAG = 'hedged';

export type HedgeChoice = { hedge: InstrumentInfo; wanted: number } | { problem: string };

/**
 * The listed option `distance` strike points further out of the money than `sold` (above for a call, below for a
 * put), same underlying, expiry and type. When that strike is not listed, the listed one nearest to it that is still
 * further out of the money; none: a problem to alert about.
 */
export async function chooseHedge(instruments: InstrumentLookup, exchange: string, tradingsymbol: string, distance: number): Promise<HedgeChoice> {
  const sold = await instruments.find(exchange, tradingsymbol);
  if (!sold) {
    const list = await instruments.listInUse();
    return {
      problem: `${exchange}:${tradingsymbol} is not in the instrument list in use (${list ? `${list.listDay}'s, ${list.rows} rows` : 'none loaded yet'})`,
    };
  }
  if ((sold.instrumentType !== 'CE' && sold.instrumentType !== 'PE') || sold.strike === null || sold.expiry === null) {
    return { problem: `${exchange}:${tradingsymbol} is not an option (${sold.instrumentType} in the instrument list)` };
  }
  const call = sold.instrumentType === 'CE';
  const wanted = sold.strike + (call ? distance : -distance);
  const hedge = await instruments.nearestStrike({
    exchange: sold.exchange,
    underlying: sold.name,
    expiry: sold.expiry,
    type: sold.instrumentType,
    strike: wanted,
    ...(call ? { above: sold.strike } : { below: sold.strike }),
  });
  if (!hedge) {
    return {
      problem: `no ${sold.name} ${sold.expiry} ${sold.instrumentType} is listed ${call ? 'above' : 'below'} the sold strike ${sold.strike} (wanted ${wanted})`,
    };
  }
  return { hedge, wanted };
}

/**
 * Hedge on fill. For each fill of a tagged option SELL, buy the same quantity of the option HEDGE_ON_FILL_DISTANCE
 * points further out of the money, at once, picked from the day's instrument list (`ctx.instruments`): the listed
 * strike nearest to that distance, never an unlisted symbol. Partial fills are hedged one by one (3 then 7 lots →
 * hedges of 3 and 7 lots), so the quantity hedged always equals the quantity sold. Each hedge is keyed by the fill's
 * cumulative quantity, so a repeated or replayed fill never buys twice.
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
    const choice = await chooseHedge(ctx.instruments, sold.exchange ?? 'NFO', sold.tradingsymbol ?? '', this.distance);
    if ('problem' in choice) {
      ctx.notifier.notify({
        title: `Cannot hedge ${sold.tradingsymbol}`,
        text: `order ${sold.orderId} filled ${event.fill.quantity} but NO hedge was bought: ${choice.problem}`,
        severity: 'critical',
        fields: { order_id: sold.orderId, quantity: event.fill.quantity },
      });
      return;
    }
    const { hedge, wanted } = choice;
    if (hedge.strike !== wanted) {
      ctx.logger.warn(
        `strike ${wanted} is not listed for ${hedge.name} ${hedge.expiry} ${hedge.instrumentType}; hedging with the nearest listed one, ${hedge.tradingsymbol}`,
      );
    }
    await ctx.placeLeg(`hedge-${event.fill.cumulativeQuantity}`, {
      exchange: hedge.exchange,
      tradingsymbol: hedge.tradingsymbol,
      transaction_type: 'BUY',
      quantity: event.fill.quantity,
      product: sold.product ?? 'NRML',
      order_type: 'MARKET',
      market_protection: this.marketProtection,
    });
  }
}
