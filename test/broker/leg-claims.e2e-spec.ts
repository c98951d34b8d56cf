import { join } from 'node:path';
import { Leg } from '../../src/broker/entities/leg.entity';
import { LegRecoveryService } from '../../src/broker/leg-recovery.service';
import { legTag } from '../../src/broker/leg-tag';
import { OrderGateway } from '../../src/broker/order-gateway.service';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, legPlacements, omsOrdersTagged, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { restingSell } from '../helpers/legs';
import { createTestApp, tempDir, TestApp } from '../helpers/test-app';

/**
 * Two engines on one trade log (a second instance started by mistake, or a restart while the old process still runs):
 * a leg being sent is claimed in the database, and nobody else touches it until that claim has expired.
 */
describe('leg claims: a second instance on the same database leaves legs another instance is sending alone', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let a: TestApp | undefined;
  let b: TestApp | undefined;
  const env = () =>
    engineEnv(sim, tmp.dir, {
      DATABASE_PATH: join(tmp.dir, 'shared.sqlite'),
      LEG_SETTLE_WINDOW_MS: '500',
      LEG_RECOVERY_INTERVAL_SECONDS: '1',
    });

  beforeAll(async () => {
    sim = await startSimulator();
    a = await startEngine(sim, env());
  });
  afterAll(async () => {
    sim?.releaseHeldPlacements();
    await b?.close();
    await a?.close();
    await sim?.stop();
    tmp.cleanup();
  });

  const legOf = (t: TestApp, tag: string) => t.dataSource.getRepository(Leg).findOneByOrFail({ tag });

  it('instance B boots while A is still waiting for Kite: B sends nothing; the leg ends with one order', async () => {
    sim.timeoutNextPlacements(1, { holdMs: 60_000, createOrder: false });
    const tag = legTag('claims-test', '910001', 'exit');
    const sending = a!.app.get(OrderGateway).placeLeg({ strategy: 'claims-test', parentOrderId: '910001', legName: 'exit', order: restingSell(990) });
    await eventually(() => legPlacements(sim, tag).length === 1, "A's placement reaching Kite");

    // B starts on the same file; its start-up recovery runs before it is up, and one more pass is asked for by hand.
    b = await createTestApp(env());
    await b.app.get(LegRecoveryService).recover();
    expect(legPlacements(sim, tag)).toHaveLength(1); // today: B placed it a second time
    expect((await legOf(b, tag)).status).toBe('placing');

    // A's call ends unclear (504): the OMS has no such order, so after the settle window it is sent again — once.
    sim.releaseHeldPlacements();
    await expect(sending).resolves.toMatchObject({ status: 'pending' });
    const leg = await eventually(
      async () => {
        const row = await legOf(a!, tag);
        return row.status === 'placed' && row;
      },
      'the leg placed after the settle window',
      15_000,
    );
    expect(omsOrdersTagged(sim, tag)).toHaveLength(1);
    expect(legPlacements(sim, tag).map((r) => r.body.tag)).toEqual([tag, tag]);
    expect(leg.orderId).toBe(omsOrdersTagged(sim, tag)[0].order_id);
  }, 40_000);

  it('a leg claimed by an instance that died is taken over only once its claim has expired', async () => {
    const tag = legTag('claims-test', '910002', 'exit');
    const order = { variety: 'regular', ...restingSell(991), tag };
    const claimExpiresAt = new Date(Date.now() + 60_000);
    await a!.dataSource.getRepository(Leg).insert({
      strategy: 'claims-test',
      chainId: '910002',
      parentOrderId: '910002',
      legName: 'exit',
      tag,
      status: 'placing',
      orderId: null,
      request: JSON.stringify(order),
      attempts: 1,
      claimedBy: 'crashed-instance',
      claimExpiresAt,
    });
    for (const t of [a!, b!]) await t.app.get(LegRecoveryService).recover();
    expect(legPlacements(sim, tag)).toHaveLength(0);
    expect(await legOf(a!, tag)).toMatchObject({ status: 'placing', claimedBy: 'crashed-instance' });

    // The claim runs out: the leg may have reached Kite, so it is unknown until the book has been checked after the
    // settle window; then it is sent again by exactly one of the two instances.
    await a!.dataSource.getRepository(Leg).update({ tag }, { claimExpiresAt: new Date(Date.now() - 1) });
    const leg = await eventually(
      async () => {
        const row = await legOf(a!, tag);
        return row.status === 'placed' && row;
      },
      'the leg placed by one of the instances',
      15_000,
    );
    expect(legPlacements(sim, tag)).toHaveLength(1);
    expect(omsOrdersTagged(sim, tag)).toHaveLength(1);
    expect(leg).toMatchObject({ attempts: 2, claimedBy: null });
  }, 40_000);
});
