import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FreezeLimitTable } from '../instruments/freeze-limits';
import { FREEZE_LIMIT_TABLE } from '../instruments/freeze-limit.table';
import { InstrumentsService } from '../instruments/instruments.service';
import { checkFreezeQuantity, checkOrderSizing, freezeLimitFor, SizedOrder, SizingRefusal } from '../instruments/order-sizing';

/** What the sizing rail reads from an order: its instrument and the sized fields (placement or modification). */
export interface SizingInput extends SizedOrder {
  variety?: string;
  /** Kite's autoslice: the quantity is the whole leg, Kite splits it below the freeze limit. */
  autoslice?: boolean;
}

/**
 * Lot size, tick size and the freeze limit, checked against the day's instrument list before an order or a
 * modification leaves (rules in instruments/order-sizing.ts). An instrument that is not in the list is not checked —
 * Kite's own checks apply, as before the list existed — and that is logged once per symbol, so a trader can tell a
 * checked order from an unchecked one.
 */
@Injectable()
export class OrderSizingRail {
  private readonly logger = new Logger('Rails');
  /** Symbols already logged as unchecked (a log line, nothing else rests on it). */
  private readonly uncheckedLogged = new Set<string>();

  constructor(
    private readonly instruments: InstrumentsService,
    @Inject(FREEZE_LIMIT_TABLE) private readonly freeze: FreezeLimitTable,
  ) {}

  async check(exchange: string, tradingsymbol: string, order: SizingInput): Promise<SizingRefusal | null> {
    const instrument = await this.instruments.find(exchange, tradingsymbol);
    if (!instrument) {
      const symbol = `${exchange}:${tradingsymbol}`;
      if (!this.uncheckedLogged.has(symbol)) {
        this.uncheckedLogged.add(symbol);
        this.logger.warn(
          `${symbol} is not in the instrument list in use: its lot size, tick size and freeze limit could not be checked (Kite checks them); logged once per symbol`,
        );
      }
      return null;
    }
    const refusal = checkOrderSizing(instrument, order);
    if (refusal || order.autoslice || order.variety === 'iceberg') return refusal; // Kite splits those below the limit itself
    return checkFreezeQuantity(instrument, order.quantity, freezeLimitFor(instrument, this.freeze.limits));
  }
}
