import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Leadership } from '../leadership/leadership';

/**
 * This instance's role in readiness details. A standby is ready: it takes postbacks into the shared inbox (the
 * leader processes them), so a load balancer keeps sending to it.
 */
@Injectable()
export class InstanceRoleIndicator {
  constructor(
    private readonly leadership: Leadership,
    private readonly indicators: HealthIndicatorService,
  ) {}

  check(key = 'instance') {
    const { role, epoch, holder, leaseMs } = this.leadership.status();
    return this.indicators.check(key).up({ role, epoch, holder, leaseMs });
  }
}
