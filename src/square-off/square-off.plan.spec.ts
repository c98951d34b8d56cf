import { planSquareOff, squareOffAttempt, squareOffLegName } from './square-off.plan';

const short = (quantity: number, chainId = 'c1') => ({ chainId, exchange: 'NFO', tradingsymbol: 'NIFTY24DEC24000CE', product: 'NRML', quantity: -quantity });
const hedge = (quantity: number, chainId = 'c1') => ({ chainId, exchange: 'NFO', tradingsymbol: 'NIFTY24DEC24400CE', product: 'NRML', quantity });

describe('square-off plan', () => {
  it('covers shorts first and closes longs (the hedges) second, each for the chain’s open quantity', () => {
    const plan = planSquareOff(
      [short(50), hedge(50)],
      [
        { exchange: 'NFO', tradingsymbol: 'NIFTY24DEC24000CE', product: 'NRML', quantity: -50 },
        { exchange: 'NFO', tradingsymbol: 'NIFTY24DEC24400CE', product: 'NRML', quantity: 50 },
      ],
    );
    expect(plan.first).toEqual([{ chainId: 'c1', exchange: 'NFO', tradingsymbol: 'NIFTY24DEC24000CE', product: 'NRML', transactionType: 'BUY', quantity: 50 }]);
    expect(plan.second).toEqual([
      { chainId: 'c1', exchange: 'NFO', tradingsymbol: 'NIFTY24DEC24400CE', product: 'NRML', transactionType: 'SELL', quantity: 50 },
    ]);
    expect(plan.notAtKite).toEqual([]);
  });

  it('never sends more than Kite shows open in that direction: a position closed elsewhere is not reopened', () => {
    const plan = planSquareOff(
      [hedge(50, 'c1'), hedge(30, 'c2'), short(10)],
      [
        { exchange: 'NFO', tradingsymbol: 'NIFTY24DEC24400CE', product: 'NRML', quantity: 60 },
        { exchange: 'NFO', tradingsymbol: 'NIFTY24DEC24000CE', product: 'NRML', quantity: 0 },
      ],
    );
    expect(plan.second.map((o) => [o.chainId, o.quantity])).toEqual([
      ['c1', 50],
      ['c2', 10],
    ]);
    expect(plan.first).toEqual([]);
    expect(plan.notAtKite.map((p) => [p.chainId, p.tradingsymbol, p.skipped])).toEqual([
      ['c2', 'NIFTY24DEC24400CE', 20],
      ['c1', 'NIFTY24DEC24000CE', 10],
    ]);
  });

  it('matches Kite rows by product too (MIS and NRML of one contract are two positions)', () => {
    const plan = planSquareOff([hedge(50)], [{ exchange: 'NFO', tradingsymbol: 'NIFTY24DEC24400CE', product: 'MIS', quantity: 50 }]);
    expect(plan.second).toEqual([]);
    expect(plan.notAtKite).toHaveLength(1);
  });

  it('names legs per day, instrument and attempt, and reads the attempt back', () => {
    const name = squareOffLegName('2026-11-25', 'NFO', 'NIFTY24DEC24000CE', 1);
    expect(name).toBe('square-off:2026-11-25:NFO:NIFTY24DEC24000CE');
    expect(squareOffLegName('2026-11-25', 'NFO', 'NIFTY24DEC24000CE', 3)).toBe(`${name}:3`);
    expect(squareOffAttempt(name, '2026-11-25', 'NFO', 'NIFTY24DEC24000CE')).toBe(1);
    expect(squareOffAttempt(`${name}:3`, '2026-11-25', 'NFO', 'NIFTY24DEC24000CE')).toBe(3);
    expect(squareOffAttempt(name, '2026-11-26', 'NFO', 'NIFTY24DEC24000CE')).toBeNull();
    expect(squareOffAttempt(`${name}:x`, '2026-11-25', 'NFO', 'NIFTY24DEC24000CE')).toBeNull();
  });
});
