/**
 * legwork's net quantity per instrument against Kite's positions, decided here (pure).
 *
 * Kite's `net` positions (GET /portfolio/positions) hold one row per instrument and product, with `quantity` the net
 * position including what was carried from earlier days (`overnight_quantity`). legwork can only account for what it
 * saw today, so the comparison is of today's change: legwork's net of today's fills (every order it knows: legs,
 * entries, external orders) against Kite's `quantity − overnight_quantity`, summed over products. A CNC buy of an
 * earlier day (now in holdings) or an overnight F&O position is therefore no false alarm.
 */

export interface LegworkNet {
  exchange: string | null;
  tradingsymbol: string;
  /** Signed: bought minus sold today. */
  quantity: number;
}

/** The fields of a Kite `net` positions row used here. */
export interface KiteNetRow {
  exchange: string;
  tradingsymbol: string;
  product: string;
  quantity: number;
  overnight_quantity: number;
}

export interface PositionLine {
  exchange: string;
  tradingsymbol: string;
  /** legwork's net of today's fills. */
  legwork: number;
  /** Kite's net change today (quantity − overnight_quantity over its products): what legwork's figure must equal. */
  kite: number;
  /** Kite's net position, overnight included. */
  kiteNet: number;
  /** Kite's products for the instrument. */
  products: string[];
  match: boolean;
}

export function comparePositions(legwork: readonly LegworkNet[], kite: readonly KiteNetRow[]): PositionLine[] {
  const lines = new Map<string, PositionLine>();
  const line = (exchange: string, tradingsymbol: string) => {
    const key = `${exchange}:${tradingsymbol}`;
    let found = lines.get(key);
    if (!found) lines.set(key, (found = { exchange, tradingsymbol, legwork: 0, kite: 0, kiteNet: 0, products: [], match: true }));
    return found;
  };
  for (const row of legwork) line(row.exchange ?? '?', row.tradingsymbol).legwork += row.quantity;
  for (const row of kite) {
    const l = line(row.exchange, row.tradingsymbol);
    l.kite += row.quantity - (row.overnight_quantity ?? 0);
    l.kiteNet += row.quantity;
    if (!l.products.includes(row.product)) l.products.push(row.product);
  }
  return [...lines.values()]
    .map((l) => ({ ...l, products: l.products.sort(), match: l.legwork === l.kite }))
    .filter((l) => !(l.legwork === 0 && l.kite === 0 && l.kiteNet === 0))
    .sort((a, b) => (a.match === b.match ? `${a.exchange}:${a.tradingsymbol}`.localeCompare(`${b.exchange}:${b.tradingsymbol}`) : a.match ? 1 : -1));
}

/** What identifies a mismatch, so the same one is alerted once. */
export function mismatchKey(line: PositionLine): string {
  return `${line.exchange}:${line.tradingsymbol}:${line.legwork}:${line.kite}`;
}
