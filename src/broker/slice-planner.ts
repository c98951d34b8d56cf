import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { LegworkConfig } from '../config/legwork.config';
import type { FreezeLimitTable } from '../instruments/freeze-limits';
import { FREEZE_LIMIT_TABLE } from '../instruments/freeze-limit.table';
import { InstrumentsService } from '../instruments/instruments.service';
import { freezeLimitFor, planSlices, SlicePlan } from '../instruments/order-sizing';
import type { SlicingPath } from './leg-state.machine';

/** A leg's order as the planner reads it (the gateway's LegOrder, with its tag). */
export interface PlannedOrder {
  variety?: string;
  exchange: string;
  tradingsymbol: string;
  quantity: number;
  disclosed_quantity?: number;
}

/** A leg above the freeze limit: how it is sent, and each slice's order (first to last). */
export interface SlicedPlan<T extends PlannedOrder> {
  path: SlicingPath;
  reason: string;
  /** For `legwork`: the order each slice sends. For `autoslice`: the slices Kite is expected to make (one request). */
  slices: T[];
}

/**
 * Decides, when a leg is recorded, whether it goes as one order or as slices (instruments/order-sizing.ts planSlices),
 * from the day's instrument list, the freeze table and AUTOSLICE. An instrument not in the list goes as one order
 * (Kite's own freeze check applies); so does a quantity off the lot, which the rails refuse with the reason.
 */
@Injectable()
export class SlicePlanner {
  constructor(
    private readonly instruments: InstrumentsService,
    @Inject(FREEZE_LIMIT_TABLE) private readonly freeze: FreezeLimitTable,
    private readonly config: ConfigService<LegworkConfig, true>,
  ) {}

  /** Null: one order. */
  async plan<T extends PlannedOrder>(order: T): Promise<SlicedPlan<T> | null> {
    const instrument = await this.instruments.find(order.exchange, order.tradingsymbol);
    if (!instrument) return null;
    const plan: SlicePlan = planSlices({
      quantity: order.quantity,
      lotSize: instrument.lotSize,
      freezeLimit: freezeLimitFor(instrument, this.freeze.limits),
      variety: order.variety ?? 'regular',
      autoslice: this.config.get('broker', { infer: true }).autoslice === 'auto',
    });
    if (plan.path !== 'legwork' && plan.path !== 'autoslice') return null;
    const slices = plan.slices.map((quantity) => {
      const slice: T = { ...order, quantity };
      // Kite refuses a disclosed quantity above the order's: each slice discloses at most itself.
      if (order.disclosed_quantity !== undefined) slice.disclosed_quantity = Math.min(order.disclosed_quantity, quantity);
      return slice;
    });
    return { path: plan.path, reason: plan.reason, slices };
  }
}
