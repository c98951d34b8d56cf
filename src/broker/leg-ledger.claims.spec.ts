import { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { openTestStore, STORE_DIALECTS } from '../../test/helpers/postgres';
import type { LegworkConfig } from '../config/legwork.config';
import { WriteTransactions } from '../database/write-transactions';
import { Leadership, NotLeaderError, SoleInstance } from '../leadership/leadership';
import { PostgresLeadership } from '../leadership/postgres-leadership';
import { Notifier } from '../notifier/notifier.service';
import { Leg } from './entities/leg.entity';
import { LegLedger, NewLeg } from './leg-ledger';

const config = {
  get: (key: string) => ({ broker: { claimLeaseMs: 60_000, settleWindowMs: 1_000 }, notify: { webhookUrl: undefined, telegram: undefined } })[key],
} as unknown as ConfigService<LegworkConfig, true>;

let next = 1;
const newLeg = (): NewLeg => {
  const n = next++;
  return {
    strategy: 's',
    chainId: String(n),
    parentOrderId: String(n),
    legName: 'exit',
    tag: `lwclaim${n}`,
    request: '{}',
    triggerEventId: null,
    groupId: null,
    reducesRisk: false,
  };
};

describe.each(STORE_DIALECTS)('LegLedger claims on a real %s database', (dialect) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['error', 'warn', 'log']));
  beforeEach(async () => {
    ({ dataSource, close } = await openTestStore(dialect));
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await close();
  });

  const ledger = (leadership: Leadership = new SoleInstance('x')) => {
    const writes = new WriteTransactions(dataSource);
    cleanups.push(() => writes.onApplicationShutdown());
    const notifier = new Notifier(config, new Counter({ name: 'alerts', help: 'alerts', labelNames: ['severity', 'channel', 'outcome'], registers: [] }));
    return new LegLedger(dataSource.getRepository(Leg), writes, new EventEmitter2(), notifier, config, leadership);
  };

  it('a leg claimed by one instance cannot be claimed by another until its claim expires; the same leg is recorded once', async () => {
    const a = ledger();
    const b = ledger();
    const values = newLeg();
    const leg = (await a.record(values))!;
    expect(leg).toMatchObject({ status: 'placing', claimedBy: a.owner, attempts: 1 });
    expect(await b.record(values)).toBeNull();
    expect(await b.claim({ ...leg }, ['placing'])).toBe(false);
    // Its sender died: the claim runs out.
    await dataSource.getRepository(Leg).update({ id: leg.id }, { claimExpiresAt: new Date(Date.now() - 1000) });
    expect(await b.claim({ ...leg }, ['placing'])).toBe(true);
    expect(await dataSource.getRepository(Leg).findOneByOrFail({ id: leg.id })).toMatchObject({ claimedBy: b.owner, attempts: 2 });
    expect(await a.renew({ ...leg })).toBe(false);
  });

  (dialect === 'postgres' ? it : it.skip)(
    'only the leader at its epoch records, claims or renews a leg; a standby is refused in the same transaction',
    async () => {
      const leading = new PostgresLeadership(dataSource, 'leader', 2000);
      const waiting = new PostgresLeadership(dataSource, 'standby', 2000);
      cleanups.push(
        () => leading.stop(),
        () => waiting.stop(),
      );
      leading.start();
      await leading.whenLeader();
      waiting.start();
      const leader = ledger(leading);
      const standby = ledger(waiting);

      await expect(standby.record(newLeg())).rejects.toBeInstanceOf(NotLeaderError);
      const leg = (await leader.record(newLeg()))!;
      expect(leg.claimedBy).toBe(leader.owner);
      await dataSource.getRepository(Leg).update({ id: leg.id }, { claimExpiresAt: new Date(Date.now() - 1000) });
      expect(await standby.claim({ ...leg }, ['placing'])).toBe(false);
      expect(await leader.renew({ ...leg })).toBe(true);

      // The leader loses its lease (paused past it; simulated on the row) and the standby takes over at a higher epoch.
      leading.freeze();
      await dataSource.query(`UPDATE "leadership" SET "expiresAt" = (clock_timestamp() AT TIME ZONE 'utc') - interval '1 second'`);
      await waiting.whenLeader();
      expect(await leader.renew({ ...leg })).toBe(false);
      await expect(leader.record(newLeg())).rejects.toBeInstanceOf(NotLeaderError);
      await dataSource.getRepository(Leg).update({ id: leg.id }, { claimExpiresAt: new Date(Date.now() - 1000) });
      expect(await standby.claim({ ...leg }, ['placing'])).toBe(true);
    },
  );
});
