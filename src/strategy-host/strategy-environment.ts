import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { LegworkConfig } from '../config/legwork.config';
import { StrategySettings } from '../config/strategy-settings';

/** Inject into a strategy's constructor to read (and validate, at start) its settings. */
@Injectable()
export class StrategyEnvironment {
  constructor(private readonly config: ConfigService<LegworkConfig, true>) {}

  for(strategy: string): StrategySettings {
    return new StrategySettings(strategy, this.config.get('strategies', { infer: true }).settings);
  }
}
