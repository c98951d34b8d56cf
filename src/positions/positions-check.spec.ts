import { comparePositions } from './positions-check';

const kite = (tradingsymbol: string, quantity: number, overnight = 0, product = 'MIS', exchange = 'NSE') => ({
  exchange,
  tradingsymbol,
  product,
  quantity,
  overnight_quantity: overnight,
});

describe('positions check: legwork’s net of today against Kite’s', () => {
  it('matches per instrument over Kite’s products, counting only today’s change (overnight carried positions are no alarm)', () => {
    const lines = comparePositions(
      [
        { exchange: 'NSE', tradingsymbol: 'SBIN', quantity: 10 },
        { exchange: 'NFO', tradingsymbol: 'NIFTY24DEC24000CE', quantity: -50 },
      ],
      [kite('SBIN', 6, 0, 'MIS'), kite('SBIN', 4, 0, 'CNC'), kite('NIFTY24DEC24000CE', 25, 75, 'NRML', 'NFO'), kite('INFY', 0)],
    );
    expect(lines).toEqual([
      { exchange: 'NFO', tradingsymbol: 'NIFTY24DEC24000CE', legwork: -50, kite: -50, kiteNet: 25, products: ['NRML'], match: true },
      { exchange: 'NSE', tradingsymbol: 'SBIN', legwork: 10, kite: 10, kiteNet: 10, products: ['CNC', 'MIS'], match: true },
    ]);
  });

  it('reports what only one side knows, mismatches first', () => {
    const lines = comparePositions([{ exchange: 'NSE', tradingsymbol: 'SBIN', quantity: 10 }], [kite('SBIN', 10), kite('INFY', -3)]);
    expect(lines.map((l) => [l.tradingsymbol, l.legwork, l.kite, l.match])).toEqual([
      ['INFY', 0, -3, false],
      ['SBIN', 10, 10, true],
    ]);
  });
});
