import { Leg, LegStatus } from '../../src/broker/entities/leg.entity';
import { InboxService } from '../../src/inbox/inbox.service';
import { orderUpdate } from '../helpers/postbacks';
import { createTestApp, testEnv } from '../helpers/test-app';

/**
 * A trade log with two strategies and four chains (three on 2026-11-25, one on 2026-11-24) plus one order outside
 * any chain. Orders, order_events and fills are written by the engine's real pipeline (postbacks → inbox → order
 * state); the legs, which a strategy would record, are inserted as rows.
 *
 * Realised P&L, worked by hand (FIFO within each chain and instrument):
 *   A  breakout  INFY      buy 4 @ 1499.50 + 6 @ 1500.50, sell 10 @ 1520.00   4×20.50 + 6×19.50 =  199.00
 *   B  breakout  RELIANCE  sell 5 @ 1300.00, buy 5 @ 1310.40                  5×(1300 − 1310.40) =  −52.00
 *   C  hedger    CE buy 75 @ 120.50, sell 50 @ 131.00; PE sell 75 @ 80.25     50×10.50           =  525.00, open 25 CE + 75 PE
 *   D  breakout  TCS (2026-11-24) buy 1 @ 4000, sell 1 @ 4010                 1×10               =   10.00
 * 2026-11-25: breakout 147.00 (2 chains), hedger 525.00; total 672.00. All days: breakout 157.00, total 682.00.
 */
export const DAY = '2026-11-25';
export const PREVIOUS_DAY = '2026-11-24';
export const CHAIN_A = '251125000000001';
export const CHAIN_B = '251125000000004';
export const CHAIN_C = '251125000000007';
export const CHAIN_D = '241124000000001';
export const ORPHAN = '251125000000010';
export const REJECTION = 'RMS:Margin Exceeds, Required:6400.00, Available:1200.00';
export const LEG_ERROR = 'Quantity should be a multiple of lot size 75';

interface OrderSpec {
  id: string;
  symbol: string;
  exchange?: string;
  side: 'BUY' | 'SELL';
  quantity: number;
  orderType: string;
  price?: number;
  trigger?: number;
  tag?: string;
  placedAt: string;
  /** [status, filled, average price, exchange time, status message?] */
  updates: Array<[string, number, number, string, string?]>;
}

const ORDERS: OrderSpec[] = [
  // Chain A: manual entry, breakout's stop-loss and target.
  {
    id: CHAIN_A,
    symbol: 'INFY',
    side: 'BUY',
    quantity: 10,
    orderType: 'LIMIT',
    price: 1500,
    placedAt: '2026-11-25 09:20:00',
    updates: [
      ['OPEN', 0, 0, '2026-11-25 09:20:00'],
      ['OPEN', 4, 1499.5, '2026-11-25 09:20:05'],
      ['COMPLETE', 10, 1500.1, '2026-11-25 09:20:06'],
    ],
  },
  {
    id: '251125000000002',
    symbol: 'INFY',
    side: 'SELL',
    quantity: 10,
    orderType: 'SL-M',
    trigger: 1485,
    tag: 'LWbrkA1sl',
    placedAt: '2026-11-25 09:20:07',
    updates: [
      ['TRIGGER PENDING', 0, 0, '2026-11-25 09:20:07'],
      ['CANCELLED', 0, 0, '2026-11-25 11:02:11'],
    ],
  },
  {
    id: '251125000000003',
    symbol: 'INFY',
    side: 'SELL',
    quantity: 10,
    orderType: 'LIMIT',
    price: 1520,
    tag: 'LWbrkA1tg',
    placedAt: '2026-11-25 09:20:07',
    updates: [
      ['OPEN', 0, 0, '2026-11-25 09:20:07'],
      ['COMPLETE', 10, 1520, '2026-11-25 11:02:10'],
    ],
  },
  // Chain B: a short entry; the stop-loss fills, the target is rejected by RMS.
  {
    id: CHAIN_B,
    symbol: 'RELIANCE',
    side: 'SELL',
    quantity: 5,
    orderType: 'MARKET',
    placedAt: '2026-11-25 10:15:00',
    updates: [['COMPLETE', 5, 1300, '2026-11-25 10:15:00']],
  },
  {
    id: '251125000000005',
    symbol: 'RELIANCE',
    side: 'BUY',
    quantity: 5,
    orderType: 'SL',
    price: 1312,
    trigger: 1310,
    tag: 'LWbrkB1sl',
    placedAt: '2026-11-25 10:15:02',
    updates: [
      ['TRIGGER PENDING', 0, 0, '2026-11-25 10:15:02'],
      ['COMPLETE', 5, 1310.4, '2026-11-25 12:30:00'],
    ],
  },
  {
    id: '251125000000006',
    symbol: 'RELIANCE',
    side: 'BUY',
    quantity: 5,
    orderType: 'LIMIT',
    price: 1280,
    tag: 'LWbrkB1tg',
    placedAt: '2026-11-25 10:15:02',
    updates: [['REJECTED', 0, 0, '2026-11-25 10:15:02', REJECTION]],
  },
  // Chain C: hedger buys a call, sells a put against it, half-exits the call; one leg failed at Kite.
  {
    id: CHAIN_C,
    symbol: 'NIFTY25NOV24000CE',
    exchange: 'NFO',
    side: 'BUY',
    quantity: 75,
    orderType: 'LIMIT',
    price: 120.5,
    placedAt: '2026-11-25 13:00:00',
    updates: [['COMPLETE', 75, 120.5, '2026-11-25 13:00:00']],
  },
  {
    id: '251125000000008',
    symbol: 'NIFTY25NOV23500PE',
    exchange: 'NFO',
    side: 'SELL',
    quantity: 75,
    orderType: 'MARKET',
    tag: 'LWhdgC1hedge',
    placedAt: '2026-11-25 13:00:02',
    updates: [['COMPLETE', 75, 80.25, '2026-11-25 13:00:02']],
  },
  {
    id: '251125000000009',
    symbol: 'NIFTY25NOV24000CE',
    exchange: 'NFO',
    side: 'SELL',
    quantity: 75,
    orderType: 'LIMIT',
    price: 131,
    tag: 'LWhdgC1exit',
    placedAt: '2026-11-25 13:00:03',
    updates: [
      ['OPEN', 0, 0, '2026-11-25 13:00:03'],
      ['OPEN', 50, 131, '2026-11-25 14:45:00'],
    ],
  },
  // Chain D, the day before.
  {
    id: CHAIN_D,
    symbol: 'TCS',
    side: 'BUY',
    quantity: 1,
    orderType: 'MARKET',
    placedAt: '2026-11-24 09:30:00',
    updates: [['COMPLETE', 1, 4000, '2026-11-24 09:30:00']],
  },
  {
    id: '241124000000002',
    symbol: 'TCS',
    side: 'SELL',
    quantity: 1,
    orderType: 'LIMIT',
    price: 4010,
    tag: 'LWbrkD1tg',
    placedAt: '2026-11-24 09:30:01',
    updates: [
      ['OPEN', 0, 0, '2026-11-24 09:30:01'],
      ['COMPLETE', 1, 4010, '2026-11-24 14:00:00'],
    ],
  },
  // A manual order no strategy touched.
  {
    id: ORPHAN,
    symbol: 'SBIN',
    side: 'BUY',
    quantity: 1,
    orderType: 'MARKET',
    placedAt: '2026-11-25 15:00:00',
    updates: [['COMPLETE', 1, 800, '2026-11-25 15:00:00']],
  },
];

interface LegSpec {
  strategy: string;
  chainId: string;
  parentOrderId: string;
  legName: string;
  tag: string;
  status: LegStatus;
  orderId: string | null;
  /** UTC */
  createdAt: string;
  errorType?: string;
  lastError?: string;
}

const LEGS: LegSpec[] = [
  {
    strategy: 'breakout',
    chainId: CHAIN_A,
    parentOrderId: CHAIN_A,
    legName: 'stoploss',
    tag: 'LWbrkA1sl',
    status: 'placed',
    orderId: '251125000000002',
    createdAt: '2026-11-25T03:50:06Z',
  },
  {
    strategy: 'breakout',
    chainId: CHAIN_A,
    parentOrderId: CHAIN_A,
    legName: 'target',
    tag: 'LWbrkA1tg',
    status: 'placed',
    orderId: '251125000000003',
    createdAt: '2026-11-25T03:50:06Z',
  },
  {
    strategy: 'breakout',
    chainId: CHAIN_B,
    parentOrderId: CHAIN_B,
    legName: 'stoploss',
    tag: 'LWbrkB1sl',
    status: 'placed',
    orderId: '251125000000005',
    createdAt: '2026-11-25T04:45:01Z',
  },
  {
    strategy: 'breakout',
    chainId: CHAIN_B,
    parentOrderId: CHAIN_B,
    legName: 'target',
    tag: 'LWbrkB1tg',
    status: 'placed',
    orderId: '251125000000006',
    createdAt: '2026-11-25T04:45:01Z',
  },
  {
    strategy: 'hedger',
    chainId: CHAIN_C,
    parentOrderId: CHAIN_C,
    legName: 'hedge',
    tag: 'LWhdgC1hedge',
    status: 'placed',
    orderId: '251125000000008',
    createdAt: '2026-11-25T07:30:01Z',
  },
  {
    strategy: 'hedger',
    chainId: CHAIN_C,
    parentOrderId: CHAIN_C,
    legName: 'exit',
    tag: 'LWhdgC1exit',
    status: 'placed',
    orderId: '251125000000009',
    createdAt: '2026-11-25T07:30:02Z',
  },
  {
    strategy: 'hedger',
    chainId: CHAIN_C,
    parentOrderId: '251125000000009',
    legName: 'rehedge',
    tag: 'LWhdgC1rehedge',
    status: 'failed',
    orderId: null,
    createdAt: '2026-11-25T09:15:01Z',
    errorType: 'InputException',
    lastError: LEG_ERROR,
  },
  {
    strategy: 'breakout',
    chainId: CHAIN_D,
    parentOrderId: CHAIN_D,
    legName: 'target',
    tag: 'LWbrkD1tg',
    status: 'placed',
    orderId: '241124000000002',
    createdAt: '2026-11-24T04:00:00Z',
  },
];

/** Builds the seeded trade log in `dir` (legwork.sqlite, migrated by the engine) and returns its path. */
export async function seedTradeLog(dir: string): Promise<string> {
  const env = testEnv(dir, { RECONCILE_ON_BOOT: 'false' });
  const t = await createTestApp(env);
  try {
    const inbox = t.app.get(InboxService);
    for (const order of ORDERS) {
      for (const [status, filled, average, time, message] of order.updates) {
        const body = orderUpdate(order.id, status, filled, order.quantity, average, time, {
          order_timestamp: order.placedAt,
          tradingsymbol: order.symbol,
          exchange: order.exchange ?? 'NSE',
          transaction_type: order.side,
          order_type: order.orderType,
          product: 'MIS',
          price: order.price ?? 0,
          trigger_price: order.trigger ?? 0,
          tag: order.tag ?? null,
          status_message: message ?? null,
          cancelled_quantity: status === 'CANCELLED' ? order.quantity - filled : 0,
        });
        await inbox.accept(JSON.stringify(body), body, 'postback');
        await t.settle();
      }
    }
    const legs = t.dataSource.getRepository(Leg);
    for (const leg of LEGS) {
      const order = ORDERS.find((o) => o.id === leg.orderId);
      // What the strategy asked Kite for (kiteconnect's placeOrder params).
      const request = {
        exchange: order?.exchange ?? 'NFO',
        tradingsymbol: order?.symbol ?? 'NIFTY25NOV23500PE',
        transaction_type: order?.side ?? 'SELL',
        quantity: order?.quantity ?? 70,
        order_type: order?.orderType ?? 'MARKET',
        product: 'MIS',
        tag: leg.tag,
      };
      await legs.insert({
        strategy: leg.strategy,
        chainId: leg.chainId,
        parentOrderId: leg.parentOrderId,
        legName: leg.legName,
        tag: leg.tag,
        status: leg.status,
        orderId: leg.orderId,
        request: JSON.stringify(request),
        attempts: 1,
        errorType: leg.errorType ?? null,
        lastError: leg.lastError ?? null,
        createdAt: new Date(leg.createdAt),
        updatedAt: new Date(leg.createdAt),
      });
    }
  } finally {
    await t.close();
  }
  return env.DATABASE_PATH;
}
