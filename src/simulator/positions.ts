import type { TradeRow } from './kite-rows';

/** A GET /portfolio/positions row; keys in positions.json's order. */
export interface PositionRow {
  tradingsymbol: string;
  exchange: string;
  instrument_token: number;
  product: string;
  quantity: number;
  overnight_quantity: number;
  multiplier: number;
  average_price: number;
  close_price: number;
  last_price: number;
  value: number;
  pnl: number;
  m2m: number;
  unrealised: number;
  realised: number;
  buy_quantity: number;
  buy_price: number;
  buy_value: number;
  buy_m2m: number;
  sell_quantity: number;
  sell_price: number;
  sell_value: number;
  sell_m2m: number;
  day_buy_quantity: number;
  day_buy_price: number;
  day_buy_value: number;
  day_sell_quantity: number;
  day_sell_price: number;
  day_sell_value: number;
}

const money = (value: number): number => Math.round(value * 100) / 100;
const price = (value: number): number => Math.round(value * 1e4) / 1e4;

interface Totals {
  trade: TradeRow;
  buyQuantity: number;
  buyValue: number;
  sellQuantity: number;
  sellValue: number;
}

/**
 * Positions from the simulator's fills, one row per instrument and product (Kite keeps a closed position listed with
 * quantity 0). The simulator has no previous day, so `net` and `day` carry the same rows: no overnight quantity, no
 * close price, and the m2m fields equal the plain ones. The arithmetic follows positions.json, where every row
 * satisfies value = sell_value − buy_value, pnl = value + quantity × last_price × multiplier, unrealised = pnl and
 * realised = 0, and average_price is the buy price of a long position, the sell price of a short one, else 0.
 */
export function computePositions(trades: readonly TradeRow[], lastPrice: (tradingsymbol: string) => number): { net: PositionRow[]; day: PositionRow[] } {
  const byPosition = new Map<string, Totals>();
  for (const trade of trades) {
    const key = `${trade.exchange}:${trade.tradingsymbol}:${trade.product}`;
    let totals = byPosition.get(key);
    if (!totals) byPosition.set(key, (totals = { trade, buyQuantity: 0, buyValue: 0, sellQuantity: 0, sellValue: 0 }));
    if (trade.transaction_type === 'BUY') {
      totals.buyQuantity += trade.quantity;
      totals.buyValue += trade.quantity * trade.average_price;
    } else {
      totals.sellQuantity += trade.quantity;
      totals.sellValue += trade.quantity * trade.average_price;
    }
  }
  const rows = [...byPosition.values()].map((totals) => positionRow(totals, lastPrice(totals.trade.tradingsymbol)));
  return { net: rows, day: rows.map((row) => ({ ...row })) };
}

function positionRow({ trade, buyQuantity, buyValue, sellQuantity, sellValue }: Totals, last: number): PositionRow {
  const multiplier = 1;
  const quantity = buyQuantity - sellQuantity;
  const buyPrice = buyQuantity > 0 ? price(buyValue / buyQuantity) : 0;
  const sellPrice = sellQuantity > 0 ? price(sellValue / sellQuantity) : 0;
  const value = money(sellValue - buyValue);
  const pnl = money(value + quantity * last * multiplier);
  return {
    tradingsymbol: trade.tradingsymbol,
    exchange: trade.exchange,
    instrument_token: trade.instrument_token,
    product: trade.product,
    quantity,
    overnight_quantity: 0,
    multiplier,
    average_price: quantity > 0 ? buyPrice : quantity < 0 ? sellPrice : 0,
    close_price: 0,
    last_price: last,
    value,
    pnl,
    m2m: pnl,
    unrealised: pnl,
    realised: 0,
    buy_quantity: buyQuantity,
    buy_price: buyPrice,
    buy_value: money(buyValue),
    buy_m2m: money(buyValue),
    sell_quantity: sellQuantity,
    sell_price: sellPrice,
    sell_value: money(sellValue),
    sell_m2m: money(sellValue),
    day_buy_quantity: buyQuantity,
    day_buy_price: buyPrice,
    day_buy_value: money(buyValue),
    day_sell_quantity: sellQuantity,
    day_sell_price: sellPrice,
    day_sell_value: money(sellValue),
  };
}
