import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { EntityManager, Repository } from 'typeorm';
import { Leg } from '../broker/entities/leg.entity';
import { KITE_CLIENT, KiteClient } from '../kite-session/kite-client.provider';
import { PreparedQuery } from '../database/prepared-query';
import { WriteTransactions } from '../database/write-transactions';
import { Notifier } from '../notifier/notifier.service';
import { Metric } from '../metrics/metrics';
import { cancelOpenLegworkOrders, legsThatMayBeOpen } from './cancel-open';
import { KillSwitchState } from './entities/kill-switch.entity';
import { OrderPacer } from './rate-limits';
import { CancelOpenGttAnswer, KILL_SWITCH_CANCEL_OPEN } from '../events/kill-switch.events';

const ID = 'global';

export interface KillSwitchStatus {
  tripped: boolean;
  reason: string | null;
  changedBy: string | null;
  changedAt: string | null;
}

export interface TripResult extends KillSwitchStatus {
  /** Open legwork orders cancelled (when asked to). */
  cancelled: string[];
  cancelFailures: Array<{ orderId: string; error: string }>;
  /** Kite trigger ids of legwork's live GTTs deleted (cancel-open, unless CANCEL_OPEN_DELETES_GTTS=false). */
  gttsDeleted: number[];
  gttFailures: Array<{ triggerId: number; error: string }>;
}

/**
 * One switch that stops every strategy from placing new orders at once, optionally cancels the open orders legwork
 * placed, and stays tripped across restarts (it lives in the database) until someone re-arms it.
 */
@Injectable()
export class KillSwitchService {
  private readonly logger = new Logger('KillSwitch');
  /** Read before every placement (and inside its counting transaction): written once, not built per call. */
  private readonly stateRow: PreparedQuery<Pick<KillSwitchState, 'tripped' | 'reason' | 'changedBy' | 'changedAt'>>;

  constructor(
    @InjectRepository(KillSwitchState) private readonly states: Repository<KillSwitchState>,
    @InjectRepository(Leg) private readonly legs: Repository<Leg>,
    private readonly writes: WriteTransactions,
    private readonly notifier: Notifier,
    // The client itself, not the gateway: cancelling must work while the rails refuse everything else.
    @Inject(KITE_CLIENT) private readonly kite: KiteClient,
    // Cancellations take their turn in the same queue as every other order request (Kite's 10 requests/s).
    private readonly pacer: OrderPacer,
    @InjectMetric(Metric.KillSwitchTripped) private readonly trippedGauge: Gauge<string>,
    private readonly bus: EventEmitter2,
  ) {
    this.stateRow = PreparedQuery.on(states, `SELECT "tripped", "reason", "changedBy", "changedAt" FROM "kill_switch" WHERE "id" = :id`);
  }

  /** Read from the database every time: another instance, or the CLI, may have changed it. */
  async status(manager?: EntityManager): Promise<KillSwitchStatus> {
    const row = await this.stateRow.one({ id: ID }, manager);
    this.trippedGauge.set(row?.tripped ? 1 : 0);
    return { tripped: row?.tripped ?? false, reason: row?.reason ?? null, changedBy: row?.changedBy ?? null, changedAt: row?.changedAt?.toISOString() ?? null };
  }

  async trip(reason: string, by: string, options: { cancelOpen?: boolean } = {}): Promise<TripResult> {
    const was = await this.status();
    await this.writes.run((m) => m.save(KillSwitchState, { id: ID, tripped: true, reason, changedBy: by }));
    if (!was.tripped) {
      this.logger.error({ reason }, `KILL SWITCH TRIPPED by ${by}: ${reason}. No strategy can place orders until it is re-armed.`);
      this.notifier.notify({
        title: 'Kill switch tripped: legwork places no new orders',
        text: reason,
        severity: 'critical',
        fields: { by, rearm: 'npm run killswitch -- rearm, DELETE /rails/kill-switch, or /rearm to the Telegram bot' },
      });
    }
    const result: TripResult = { ...(await this.status()), cancelled: [], cancelFailures: [], gttsDeleted: [], gttFailures: [] };
    if (options.cancelOpen) await this.cancelOpenOrders(result);
    return result;
  }

  async rearm(by: string): Promise<KillSwitchStatus> {
    await this.writes.run((m) => m.save(KillSwitchState, { id: ID, tripped: false, reason: null, changedBy: by }));
    this.logger.warn(`kill switch re-armed by ${by}: strategies may place orders again`);
    this.notifier.notify({ title: 'Kill switch re-armed', text: `by ${by}: strategies may place orders again`, severity: 'warning' });
    return this.status();
  }

  /** Cancel every open order legwork placed (see cancelOpenLegworkOrders), paced with every other order request. */
  private async cancelOpenOrders(result: TripResult): Promise<void> {
    const done = await cancelOpenLegworkOrders(this.kite, await legsThatMayBeOpen(this.legs), () => this.pacer.take());
    result.cancelled.push(...done.cancelled);
    result.cancelFailures.push(...done.cancelFailures);
    // GTTs are orders waiting for their price: deleted too (their module answers; null when the setting is off).
    for (const answer of (await this.bus.emitAsync(KILL_SWITCH_CANCEL_OPEN)) as Array<CancelOpenGttAnswer | null | undefined>) {
      result.gttsDeleted.push(...(answer?.deleted ?? []));
      result.gttFailures.push(...(answer?.failures ?? []));
    }
    this.logger.warn(
      `kill switch: cancelled ${result.cancelled.length} open legwork order(s)${result.cancelFailures.length ? `, ${result.cancelFailures.length} could not be cancelled` : ''}`,
    );
    if (result.cancelFailures.length > 0 || result.gttFailures.length > 0) {
      this.notifier.notify({
        title: 'Kill switch: some open orders were NOT cancelled',
        text: [...result.cancelFailures.map((f) => `${f.orderId}: ${f.error}`), ...result.gttFailures.map((f) => `GTT ${f.triggerId}: ${f.error}`)].join('; '),
        severity: 'critical',
        fields: { action: 'cancel them in Kite by hand', stop_all: 'the kill switch is already tripped' },
      });
    }
  }
}
