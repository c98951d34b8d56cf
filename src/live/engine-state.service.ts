import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { LegworkConfig } from '../config/legwork.config';
import { InboxService } from '../inbox/inbox.service';
import { InstanceRoleSource } from '../instance/instance-role';
import { KiteOrderStream } from '../order-stream/kite-order-stream.service';
import { KillSwitchService } from '../rails/kill-switch.service';
import { LegworkRails } from '../rails/legwork-rails';
import { ReconcileService } from '../reconcile/reconcile.service';
import type { EngineState } from './live-messages';

/** Reads the engine's state from the services that own each part (read-only: nothing here changes anything). */
@Injectable()
export class EngineStateService {
  constructor(
    private readonly config: ConfigService<LegworkConfig, true>,
    private readonly killSwitch: KillSwitchService,
    private readonly rails: LegworkRails,
    private readonly inbox: InboxService,
    private readonly orderStream: KiteOrderStream,
    private readonly reconcile: ReconcileService,
    private readonly instance: InstanceRoleSource,
  ) {}

  async read(): Promise<EngineState> {
    const [killSwitch, orders, backlog] = await Promise.all([this.killSwitch.status(), this.rails.usage(), this.inbox.countPending()]);
    return {
      at: new Date().toISOString(),
      mode: this.config.get('mode', { infer: true }),
      killSwitch,
      orders,
      inbox: { backlog, max: this.config.get('health', { infer: true }).maxInboxBacklog },
      orderStream: { enabled: this.config.get('orderStream', { infer: true }).enabled, connected: this.orderStream.connected },
      lastReconcile: this.reconcile.lastRun(),
      instance: this.instance.current(),
    };
  }
}
