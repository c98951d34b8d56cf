import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { LegworkConfig } from '../config/legwork.config';
import { warnIfAccessOff } from './access';
import { RAILS_ACCESS, TRADE_LOG_ACCESS } from './access-areas';

/** Says at start which protected areas are off (beyond loopback, no token): once, not once per guarded module. */
@Injectable()
export class AccessStartupWarnings implements OnModuleInit {
  constructor(private readonly config: ConfigService<LegworkConfig, true>) {}

  onModuleInit(): void {
    const config = {
      http: this.config.get('http', { infer: true }),
      tradeLog: this.config.get('tradeLog', { infer: true }),
      rails: this.config.get('rails', { infer: true }),
    };
    for (const area of [TRADE_LOG_ACCESS, RAILS_ACCESS]) warnIfAccessOff(area, config);
  }
}

/**
 * Access to the protected endpoints: one guard (AccessGuard, applied by @Protected(area) on a controller or route,
 * no import needed) and the start-up warnings.
 */
@Module({ providers: [AccessStartupWarnings] })
export class AccessModule {}
