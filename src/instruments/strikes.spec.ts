import { pickNearestStrike } from './strikes';

const strikes = (...values: Array<number | null>) => values.map((strike) => ({ strike, id: String(strike) }));

describe('pickNearestStrike', () => {
  const listed = strikes(25800, 25900, 26000, 26100, 26200, 26400);

  it('returns the listed strike itself, or the nearest one when the wanted strike is not listed', () => {
    expect(pickNearestStrike(listed, { strike: 26200 })?.strike).toBe(26200);
    expect(pickNearestStrike(listed, { strike: 26350 })?.strike).toBe(26400);
    expect(pickNearestStrike(listed, { strike: 27000 })?.strike).toBe(26400);
  });

  it('keeps strictly within above / below', () => {
    expect(pickNearestStrike(listed, { strike: 25950, above: 26000 })?.strike).toBe(26100);
    expect(pickNearestStrike(listed, { strike: 26100, below: 26000 })?.strike).toBe(25900);
    expect(pickNearestStrike(listed, { strike: 26600, above: 26400 })).toBeNull();
    expect(pickNearestStrike(listed, { strike: 25600, below: 25800 })).toBeNull();
  });

  it('breaks ties toward the bound, else toward the lower strike; ignores rows without a strike', () => {
    expect(pickNearestStrike(listed, { strike: 26300, above: 26000 })?.strike).toBe(26200);
    expect(pickNearestStrike(strikes(25600, 25800), { strike: 25700, below: 26000 })?.strike).toBe(25800);
    expect(pickNearestStrike(listed, { strike: 26300 })?.strike).toBe(26200);
    expect(pickNearestStrike(strikes(null, 100), { strike: 0 })?.strike).toBe(100);
    expect(pickNearestStrike([], { strike: 100 })).toBeNull();
  });
});
