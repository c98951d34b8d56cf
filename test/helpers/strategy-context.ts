import { ConfigService } from '@nestjs/config';
import { loadLegworkConfig } from '../../src/config/legwork.config';
import type { Alert, GttSpec, GttView, LegInfo, LegOrder, OrderSnapshot, StrategyContext } from '../../src/sdk';
import { StrategyEnvironment } from '../../src/sdk';

/** A strategy's settings from an environment, checked as the engine checks them at start. */
export const strategyEnvironment = (env: Record<string, string> = {}): StrategyEnvironment =>
  new StrategyEnvironment(new ConfigService(loadLegworkConfig({ LEGWORK_MODE: 'paper', KITE_API_SECRET: 'x'.repeat(32), ...env })));

/** An order as an event carries it: a completed 4 × SBIN BUY at 100 unless overridden. */
export const orderSnapshot = (overrides: Partial<OrderSnapshot> = {}): OrderSnapshot => ({
  orderId: '1001',
  status: 'COMPLETE',
  statusMessage: null,
  exchange: 'NSE',
  tradingsymbol: 'SBIN',
  transactionType: 'BUY',
  orderType: 'LIMIT',
  product: 'MIS',
  variety: 'regular',
  tag: null,
  quantity: 4,
  filledQuantity: 4,
  pendingQuantity: 0,
  cancelledQuantity: 0,
  price: 100,
  triggerPrice: 0,
  averagePrice: 100,
  orderTimestamp: '2026-12-01 09:20:00',
  exchangeUpdateTimestamp: '2026-12-01 09:20:01',
  ...overrides,
});

export interface RecordingContext {
  ctx: StrategyContext;
  legs: Array<{ legName: string; order: LegOrder }>;
  gtts: Array<{ name: string; spec: GttSpec }>;
  cancelledGtts: Array<{ name: string; parentOrderId?: string }>;
  alerts: Alert[];
}

/**
 * A StrategyContext that records what a handler asks for, for unit specs of a strategy's decisions. (The e2e specs
 * in test/strategies run the same strategies in the engine against the simulator.)
 */
export function recordingContext(strategy: string, options: { leg?: LegInfo | null; liveGtts?: GttView[] } = {}): RecordingContext {
  const recorded: Omit<RecordingContext, 'ctx'> = { legs: [], gtts: [], cancelledGtts: [], alerts: [] };
  const unused = (what: string) => () => Promise.reject(new Error(`${what} is not recorded by this context`));
  const ctx: StrategyContext = {
    strategy,
    leg: options.leg ?? null,
    placeLeg: (legName, order) => {
      recorded.legs.push({ legName, order });
      return Promise.resolve({
        status: 'placed',
        legId: recorded.legs.length,
        tag: `lw-${legName}`,
        orderId: String(2000 + recorded.legs.length),
        duplicate: false,
      });
    },
    placeGroup: unused('placeGroup'),
    placeGtt: (name, spec) => {
      recorded.gtts.push({ name, spec });
      return Promise.resolve({ status: 'active', gttId: recorded.gtts.length, triggerId: 3000 + recorded.gtts.length, duplicate: false });
    },
    modifyGtt: unused('modifyGtt'),
    cancelGtt: (name, cancel = {}) => {
      recorded.cancelledGtts.push({ name, parentOrderId: cancel.parentOrderId });
      return Promise.resolve(null);
    },
    gtts: () => Promise.resolve(options.liveGtts ?? []),
    orders: {
      modifyOrder: unused('modifyOrder'),
      cancelOrder: unused('cancelOrder'),
      getOrders: unused('getOrders'),
      getOrderHistory: unused('getOrderHistory'),
      getTrades: unused('getTrades'),
      getOrderTrades: unused('getOrderTrades'),
    },
    notifier: { notify: (alert) => void recorded.alerts.push(alert) },
    instruments: new Proxy({} as StrategyContext['instruments'], {
      get: () => unused('instruments'),
    }),
    logger: { log: () => undefined, error: () => undefined, warn: () => undefined },
  };
  return { ctx, ...recorded };
}
