import { ConfigService } from '@nestjs/config';
import type { TestingModuleBuilder } from '@nestjs/testing';
import type { LegworkConfig } from '../../src/config/legwork.config';
import { MarketClock } from '../../src/market/market-clock';

/** The engine's market clock, held at an instant a test chooses (everything else keeps real time). */
export class HeldClock extends MarketClock {
  at = new Date();
  now(): Date {
    return this.at;
  }
}

/** An IST wall-clock time as an instant: ist('2026-11-25 15:16'). */
export const ist = (text: string): Date => new Date(`${text.replace(' ', 'T')}:00+05:30`);

/** createTestApp's `override`: the engine reads time from `clock`. */
export function withClock(clock: { at: Date }): (builder: TestingModuleBuilder) => TestingModuleBuilder {
  return (builder) =>
    builder.overrideProvider(MarketClock).useFactory({
      inject: [ConfigService],
      factory: (config: ConfigService<LegworkConfig, true>) => {
        const held = new HeldClock(config);
        Object.defineProperty(held, 'at', { get: () => clock.at });
        return held;
      },
    });
}
