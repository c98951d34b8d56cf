import { defaultStartPrice, isOnTick, PriceWalk, roundToTick } from './price-walk';

const path = (walk: PriceWalk, symbol: string, steps: number): number[] =>
  Array.from({ length: steps }, () => {
    walk.step();
    return walk.price(symbol);
  });

describe('PriceWalk', () => {
  const options = { seed: 42, tickSize: 0.05, volatility: 0.001, startPrices: { SBIN: 470 } };

  it('repeats the same path for the same seed, and another for another seed', () => {
    const a = path(new PriceWalk(options), 'SBIN', 50);
    expect(path(new PriceWalk(options), 'SBIN', 50)).toEqual(a);
    expect(path(new PriceWalk({ ...options, seed: 43 }), 'SBIN', 50)).not.toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(5);
  });

  it('keeps one instrument’s path independent of the others', () => {
    const alone = path(new PriceWalk(options), 'SBIN', 30);
    const crowded = new PriceWalk(options);
    crowded.price('INFY');
    crowded.price('RELIANCE');
    expect(path(crowded, 'SBIN', 30)).toEqual(alone);
  });

  it('stays on the tick grid and above zero', () => {
    const walk = new PriceWalk({ ...options, volatility: 0.5, startPrices: { PENNY: 0.2 } });
    for (const price of path(walk, 'PENNY', 200)) {
      expect(price).toBeGreaterThanOrEqual(0.05);
      expect(isOnTick(price, 0.05)).toBe(true);
    }
  });

  it('opens unknown symbols at a deterministic price and rounds set prices to the tick', () => {
    const walk = new PriceWalk(options);
    expect(walk.price('TATASTEEL')).toBe(defaultStartPrice('TATASTEEL', 0.05));
    expect(walk.set('SBIN', 470.12)).toBe(470.1);
    expect(roundToTick(0.1 + 0.2, 0.05)).toBe(0.3);
    expect(() => walk.set('SBIN', 0)).toThrow();
  });
});
