/**
 * Kite's own positions, to show beside legwork's (the /trades page and `npm run trades -- watch`). The positions check
 * (comparing legwork's net quantities with kite.getPositions()) provides them by replacing this provider in
 * TradeLogModule; until it exists there are none, and the page shows "—".
 */
export interface KitePositions {
  /** When Kite was asked (ISO). */
  checkedAt: string;
  /** Kite's net quantity per tradingsymbol. */
  netQuantity: ReadonlyMap<string, number>;
}

export abstract class KitePositionsSource {
  /** The last figures read from Kite, or null when there are none (yet). */
  abstract latest(): Promise<KitePositions | null>;
}

export class NoKitePositions extends KitePositionsSource {
  latest(): Promise<KitePositions | null> {
    return Promise.resolve(null);
  }
}
