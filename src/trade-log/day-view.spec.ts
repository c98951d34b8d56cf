import { ordersPerMinute } from './order-rate';
import { chainPnl, PnlFill } from './pnl';
import { realisedOverDay } from './pnl-over-day';
import { OUTSIDE_CHAINS, positionsOf } from './positions';
import type { FillRow } from './trade-log.types';

let id = 0;
const fill = (time: string, side: 'BUY' | 'SELL', quantity: number, price: number, tradingsymbol: string, strategy: string | null): FillRow => ({
  id: ++id,
  orderId: `o${id}`,
  chainId: strategy ? `c-${strategy}` : null,
  strategy,
  exchange: 'NSE',
  tradingsymbol,
  transactionType: side,
  quantity,
  price,
  cumulativeQuantity: quantity,
  time: `2026-11-25 ${time}`,
});
const pnlFill = (f: FillRow): PnlFill => ({
  seq: f.id,
  time: f.time,
  exchange: f.exchange,
  tradingsymbol: f.tradingsymbol!,
  side: f.transactionType as 'BUY' | 'SELL',
  quantity: f.quantity,
  price: f.price,
});

describe('positionsOf', () => {
  it("nets every fill per instrument, and each strategy's fills across its chains, with the FIFO average of what is open", () => {
    const fills = [
      fill('09:15:00', 'BUY', 10, 100, 'INFY', 'alpha'),
      fill('09:16:00', 'BUY', 10, 110, 'INFY', 'alpha'),
      fill('09:17:00', 'SELL', 15, 120, 'INFY', 'beta'), // beta is short 15; INFY overall is long 5 (the 110 lot)
      fill('09:18:00', 'SELL', 4, 50, 'ITC', null), // placed by hand
      { ...fill('09:19:00', 'BUY', 1, 1, 'ITC', null), transactionType: null }, // side unknown: cannot be matched
    ];
    expect(positionsOf(fills)).toEqual({
      instruments: [
        {
          exchange: 'NSE',
          tradingsymbol: 'INFY',
          netQuantity: 5,
          averagePrice: 110,
          boughtQuantity: 20,
          soldQuantity: 15,
          realised: 250,
          kiteNetQuantity: null,
        },
        { exchange: 'NSE', tradingsymbol: 'ITC', netQuantity: -4, averagePrice: 50, boughtQuantity: 0, soldQuantity: 4, realised: 0, kiteNetQuantity: null },
      ],
      strategies: [
        { strategy: OUTSIDE_CHAINS, exchange: 'NSE', tradingsymbol: 'ITC', netQuantity: -4, averagePrice: 50 },
        { strategy: 'alpha', exchange: 'NSE', tradingsymbol: 'INFY', netQuantity: 20, averagePrice: 105 },
        { strategy: 'beta', exchange: 'NSE', tradingsymbol: 'INFY', netQuantity: -15, averagePrice: 120 },
      ],
    });
  });

  it('has nothing for a day without fills', () => {
    expect(positionsOf([])).toEqual({ instruments: [], strategies: [] });
  });
});

describe('realisedOverDay', () => {
  it("steps each strategy's realised P&L at the time of each closing fill, ending at the chains' figures", () => {
    const a = [
      fill('09:15:00', 'BUY', 10, 100, 'INFY', 'alpha'),
      fill('10:00:00', 'SELL', 4, 105, 'INFY', 'alpha'),
      fill('11:00:00', 'SELL', 6, 99, 'INFY', 'alpha'),
    ];
    const b = [fill('09:30:00', 'SELL', 5, 200, 'TCS', 'beta'), fill('10:00:00', 'BUY', 5, 190, 'TCS', 'beta')];
    const times = new Map([...a, ...b].map((f) => [f.id, f.time]));
    const chains = [
      { strategy: 'alpha', startedAt: a[0].time, pnl: chainPnl(a.map(pnlFill)) }, // +20, then −6: 14
      { strategy: 'beta', startedAt: b[0].time, pnl: chainPnl(b.map(pnlFill)) }, // +50
    ];
    expect(realisedOverDay(chains, (fillId) => times.get(fillId))).toEqual({
      times: ['2026-11-25 10:00:00', '2026-11-25 11:00:00'], // two closes at 10:00 make one point
      strategies: [
        { strategy: 'alpha', realised: [20, 14] },
        { strategy: 'beta', realised: [50, 50] },
      ],
      total: [70, 64],
    });
    expect(chains.map((c) => c.pnl.realised)).toEqual([14, 50]);
  });

  it("counts a match whose closing fill has no known time at the chain's start", () => {
    const a = [fill('09:15:00', 'BUY', 1, 100, 'INFY', 'alpha'), fill('10:00:00', 'SELL', 1, 101, 'INFY', 'alpha')];
    expect(realisedOverDay([{ strategy: 'alpha', startedAt: '2026-11-25 09:15:00', pnl: chainPnl(a.map(pnlFill)) }], () => undefined)).toEqual({
      times: ['2026-11-25 09:15:00'],
      strategies: [{ strategy: 'alpha', realised: [1] }],
      total: [1],
    });
  });
});

describe('ordersPerMinute', () => {
  it('counts placements and modifications per IST minute, whatever the process time zone', () => {
    const at = (utc: string) => new Date(`2026-11-25T${utc}Z`);
    expect(
      ordersPerMinute([
        { action: 'place', at: at('03:45:00') }, // 09:15 IST
        { action: 'place', at: at('03:45:59.999') },
        { action: 'modify', at: at('03:45:30') },
        { action: 'place', at: at('03:47:00') },
        { action: 'cancel', at: at('03:47:00') }, // not an order_actions kind: ignored
      ]),
    ).toEqual({
      minutes: [
        { minute: '2026-11-25 09:15', place: 2, modify: 1 },
        { minute: '2026-11-25 09:17', place: 1, modify: 0 },
      ],
      peak: { minute: '2026-11-25 09:15', count: 3 },
      total: { place: 3, modify: 1 },
    });
    expect(ordersPerMinute([])).toEqual({ minutes: [], peak: null, total: { place: 0, modify: 0 } });
  });
});
