import { hashString, mulberry32 } from './seeded-random';

export interface PriceWalkOptions {
  seed: number;
  /** Prices are kept on this grid (NSE equity: 0.05). */
  tickSize: number;
  /** Relative size of one step, e.g. 0.001 = moves of up to ~0.1% of the price per tick. */
  volatility: number;
  /** Opening price per tradingsymbol; others get a deterministic price derived from the symbol. */
  startPrices?: Record<string, number>;
  /** Opening price for a symbol not in startPrices (the instrument list's last_price), before the hashed default. */
  startPriceOf?: (tradingsymbol: string) => number | undefined;
}

/** Round to the tick grid, then trim binary float noise (0.1 + 0.2) so prices print like Kite's. */
export function roundToTick(price: number, tickSize: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(tickSize)) + 2);
  return Number((Math.round(price / tickSize) * tickSize).toFixed(decimals));
}

export function isOnTick(price: number, tickSize: number): boolean {
  const steps = price / tickSize;
  return Math.abs(steps - Math.round(steps)) < 1e-6;
}

/** A symbol nobody configured still opens at the same price on every run: 100.00 .. 999.95. */
export function defaultStartPrice(tradingsymbol: string, tickSize: number): number {
  return roundToTick(100 + (hashString(tradingsymbol) % 900_000) / 1000, tickSize);
}

interface Instrument {
  price: number;
  random: () => number;
}

/**
 * One seeded random walk per instrument. Each instrument has its own generator (seed mixed with the symbol), so
 * adding a symbol, or touching one, never changes the path of another.
 */
export class PriceWalk {
  private readonly instruments = new Map<string, Instrument>();

  constructor(private readonly options: PriceWalkOptions) {
    for (const [symbol, price] of Object.entries(options.startPrices ?? {})) this.instrument(symbol).price = roundToTick(price, options.tickSize);
  }

  /** Last price; the first call for a symbol opens it at its start price. */
  price(tradingsymbol: string): number {
    return this.instrument(tradingsymbol).price;
  }

  set(tradingsymbol: string, price: number): number {
    if (!(price > 0) || !Number.isFinite(price)) throw new Error(`price must be a positive number, got ${price}`);
    const rounded = roundToTick(price, this.options.tickSize);
    this.instrument(tradingsymbol).price = rounded;
    return rounded;
  }

  symbols(): string[] {
    return [...this.instruments.keys()];
  }

  /** Advance every known instrument by one step; never below one tick. */
  step(): void {
    const { tickSize, volatility } = this.options;
    for (const instrument of this.instruments.values()) {
      const maxTicks = Math.max(1, Math.round((instrument.price * volatility) / tickSize));
      const ticks = Math.round((instrument.random() * 2 - 1) * maxTicks);
      instrument.price = roundToTick(Math.max(tickSize, instrument.price + ticks * tickSize), tickSize);
    }
  }

  private instrument(tradingsymbol: string): Instrument {
    let instrument = this.instruments.get(tradingsymbol);
    if (!instrument) {
      instrument = {
        price: roundToTick(this.options.startPriceOf?.(tradingsymbol) ?? defaultStartPrice(tradingsymbol, this.options.tickSize), this.options.tickSize),
        random: mulberry32(this.options.seed ^ hashString(tradingsymbol)),
      };
      this.instruments.set(tradingsymbol, instrument);
    }
    return instrument;
  }
}
