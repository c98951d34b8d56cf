import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { KillSwitchService } from '../rails/kill-switch.service';

/**
 * Reports the kill switch in readiness details. A tripped switch does not make the engine "not ready": postbacks must
 * keep flowing into the store (routing them away would lose state); it only stops new orders.
 */
@Injectable()
export class KillSwitchIndicator {
  constructor(
    private readonly killSwitch: KillSwitchService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key = 'killSwitch') {
    const state = await this.killSwitch.status();
    return this.indicators.check(key).up({ tripped: state.tripped, reason: state.reason, changedBy: state.changedBy });
  }
}
