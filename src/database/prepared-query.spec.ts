import type { DataSource } from 'typeorm';
import { openTestStore, STORE_DIALECTS } from '../../test/helpers/postgres';
import { Leg } from '../broker/entities/leg.entity';
import { KillSwitchState } from '../rails/entities/kill-switch.entity';
import { OrderAction } from '../rails/entities/order-action.entity';
import { PreparedQuery } from './prepared-query';

describe.each(STORE_DIALECTS)('PreparedQuery: SQL written once, bound per call (real %s)', (dialect) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ dataSource, close } = await openTestStore(dialect));
  });
  afterEach(() => close());

  it('reads a row exactly as the repository hydrates it: booleans, dates, nulls, text', async () => {
    await dataSource.getRepository(KillSwitchState).save({ id: 'global', tripped: true, reason: null, changedBy: 'cli' });
    const status = new PreparedQuery<KillSwitchState>(
      dataSource,
      KillSwitchState,
      `SELECT "id", "tripped", "reason", "changedBy", "changedAt" FROM "kill_switch" WHERE "id" = :id`,
    );

    const read = await status.one({ id: 'global' });
    const viaRepository = await dataSource.getRepository(KillSwitchState).findOneByOrFail({ id: 'global' });
    expect(read).toEqual({ ...viaRepository });
    expect(read?.tripped).toBe(true);
    expect(read?.changedAt).toBeInstanceOf(Date);
    expect(await status.one({ id: 'nobody' })).toBeNull();
  });

  it('binds every parameter (strings that look like numbers stay text; lists expand), the same statement for many values', async () => {
    const day = '2026-12-03';
    await dataSource.getRepository(OrderAction).insert([
      { action: 'place', orderId: null, strategy: 's', tradingDay: day },
      { action: 'place', orderId: null, strategy: 's', tradingDay: day },
      { action: 'modify', orderId: '1000000000000000001', strategy: 's', tradingDay: day },
      { action: 'place', orderId: null, strategy: 's', tradingDay: '2026-12-02' },
    ]);
    const count = new PreparedQuery<{ n: number | string }>(
      dataSource,
      OrderAction,
      `SELECT COUNT(*) AS "n" FROM "order_actions" WHERE "tradingDay" = :day AND "action" IN (:...actions)`,
    );
    expect(Number((await count.one({ day, actions: ['place'] }))?.n)).toBe(2);
    expect(Number((await count.one({ day, actions: ['place', 'modify'] }))?.n)).toBe(3);
    expect(Number((await count.one({ day: '2026-12-01', actions: ['place'] }))?.n)).toBe(0);

    const byOrder = new PreparedQuery<Pick<OrderAction, 'orderId' | 'action'>>(
      dataSource,
      OrderAction,
      `SELECT "orderId", "action" FROM "order_actions" WHERE "orderId" = :orderId`,
    );
    // A 19-digit order id: bound as text, never as a (rounded) number.
    expect(await byOrder.all({ orderId: '1000000000000000001' })).toEqual([{ orderId: '1000000000000000001', action: 'modify' }]);
  });

  it('reads inside a transaction through its manager (sees what that transaction wrote)', async () => {
    const ofLeg = PreparedQuery.on<Pick<Leg, 'chainId'>>(dataSource.getRepository(Leg), `SELECT "chainId" FROM "legs" WHERE "orderId" = :orderId LIMIT 1`);
    await dataSource.transaction(async (manager) => {
      await manager.insert(Leg, {
        strategy: 's',
        chainId: 'chain-1',
        parentOrderId: 'p',
        legName: 'exit',
        tag: 'lw-s-p-exit',
        request: '{}',
        status: 'placed',
        orderId: '250101000000001',
      });
      expect(await ofLeg.one({ orderId: '250101000000001' }, manager)).toEqual({ chainId: 'chain-1' });
    });
    expect(await ofLeg.one({ orderId: '250101000000001' })).toEqual({ chainId: 'chain-1' });
  });
});
