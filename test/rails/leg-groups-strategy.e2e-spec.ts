import { join, resolve } from 'node:path';
import { Leg } from '../../src/broker/entities/leg.entity';
import { LegGroup } from '../../src/broker/entities/leg-group.entity';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, legPlacements, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { HttpRecorder } from '../helpers/http-recorder';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

const SHORT = 'NIFTY24DEC24000CE';
const NEAR = 'NIFTY24DEC24200CE';
const FAR = 'NIFTY24DEC24400CE';

/** ctx.placeGroup from a strategy plugin (test/fixtures/strategies-rails/hedged-short.strategy.ts), on the simulator. */
describe('a strategy placing a hedge-aware leg group', () => {
  const tmp = tempDir();
  const webhook = new HttpRecorder();
  let sim: KiteSimulator;
  let t: TestApp | undefined;
  const db = join(tmp.dir, 'groups.sqlite');
  const start = async (extra: Record<string, string> = {}) =>
    (t = await startEngine(
      sim,
      engineEnv(sim, tmp.dir, {
        DATABASE_PATH: db,
        STRATEGIES_DIR: resolve(__dirname, '..', 'fixtures', 'strategies-rails'),
        STRATEGIES: 'hedged-short',
        NOTIFY_WEBHOOK_URL: webhook.url,
        ...extra,
      }),
    ));
  const restart = async (extra: Record<string, string> = {}) => {
    await t?.close();
    t = undefined;
    return start(extra);
  };

  beforeAll(async () => {
    await webhook.start();
    sim = await startSimulator({ startPrices: { SBIN: 470, [SHORT]: 100, [NEAR]: 40, [FAR]: 15 } });
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    await webhook.stop();
    tmp.cleanup();
  });

  /** The trigger: an entry order tagged for the strategy, filled at once. Returns its order id (the group's parent). */
  const trigger = async () =>
    (await place(kiteFor(sim), sbinBuy({ order_type: 'MARKET', price: 0, quantity: 1, product: 'MIS', tag: 'hshort', market_protection: -1 }))).order_id;
  const groupOf = (parent: string) =>
    eventually(async () => {
      await t!.settle();
      return t!.dataSource.getRepository(LegGroup).findOneBy({ parentOrderId: parent, name: 'open' });
    }, `the group for ${parent}`);
  const settledGroup = (parent: string, status: string) =>
    eventually(
      async () => {
        await t!.settle();
        const g = await t!.dataSource.getRepository(LegGroup).findOneBy({ parentOrderId: parent, name: 'open' });
        return g?.status === status && g;
      },
      `the group for ${parent} to be ${status}`,
      15_000,
    );
  const sent = () => legPlacements(sim).map((r) => [r.body.tradingsymbol, r.body.transaction_type, r.body.order_type, r.body.quantity]);
  const legOf = (parent: string, legName: string) => t!.dataSource.getRepository(Leg).findOneBy({ parentOrderId: parent, legName });

  it('a rejected hedge unwinds the hedge that filled, the short is never sold, and an alert says what was reversed', async () => {
    await start();
    sim.setSymbolRejection(FAR, 'Trading in NFO:NIFTY24DEC24400CE is blocked by RMS.');
    sim.clearRequests();
    webhook.posts.length = 0;
    const parent = await trigger();

    const group = await settledGroup(parent, 'unwound');
    expect(group.reason).toMatch(/open\/hedge-far was REJECTED: Trading in NFO:NIFTY24DEC24400CE is blocked by RMS/);
    await eventually(() => legPlacements(sim).length === 3, 'the unwind leg');
    expect(sent()).toEqual([
      [NEAR, 'BUY', 'MARKET', '50'],
      [FAR, 'BUY', 'MARKET', '50'],
      [NEAR, 'SELL', 'MARKET', '50'], // the filled hedge, reversed
    ]);
    expect(sent().some(([symbol]) => symbol === SHORT)).toBe(false);
    expect(await legOf(parent, 'open/hedge-near:unwind')).toMatchObject({ status: 'placed', strategy: 'hedged-short' });
    const alert = await eventually(() => webhook.posts.find((p) => String(p.body.title).startsWith('Leg group unwound')), 'the unwind alert');
    expect(String(alert.body.text)).toMatch(/Reversed: SELL 50 NIFTY24DEC24200CE/);
    // Critical alerts say how to stop everything.
    expect(alert.body).toMatchObject({ severity: 'critical', fields: { stop_all: expect.stringMatching(/npm run killswitch -- trip/) } });

    sim.setSymbolRejection(FAR, false);
  }, 30_000);

  it('a hedge not filled in time is cancelled and the filled one reversed', async () => {
    await restart({ HEDGED_SHORT_FAR_PRICE: '1', HEDGED_SHORT_FILL_TIMEOUT_MS: '1500' }); // a BUY limit far under the market: never fills
    sim.clearRequests();
    const parent = await trigger();
    const group = await settledGroup(parent, 'unwound');
    expect(group.reason).toMatch(/first wave not filled by/);
    const far = await legOf(parent, 'open/hedge-far');
    expect(sim.getOrder(far!.orderId!)!.status).toBe('CANCELLED');
    expect(sent()).toEqual([
      [NEAR, 'BUY', 'MARKET', '50'],
      [FAR, 'BUY', 'LIMIT', '50'],
      [NEAR, 'SELL', 'MARKET', '50'],
    ]);
    expect(sim.requests.filter((r) => r.method === 'DELETE' && r.path.includes(far!.orderId!))).toHaveLength(1);
  }, 30_000);

  it('a waiting group survives a restart: once its last hedge fills, the short is sold', async () => {
    await restart({ HEDGED_SHORT_FAR_PRICE: '1' }); // default timeout (60 s): the group waits
    sim.clearRequests();
    const parent = await trigger();
    await groupOf(parent);
    const far = await eventually(async () => (await legOf(parent, 'open/hedge-far'))?.orderId, 'the far hedge placed');
    expect((await t!.dataSource.getRepository(LegGroup).findOneByOrFail({ parentOrderId: parent })).status).toBe('waiting');

    await t!.close(); // down while the group waits
    t = undefined;
    sim.fillOrder(far, 50); // its postback finds no engine; reconciliation at start picks it up
    await start({ HEDGED_SHORT_FAR_PRICE: '1' });

    await settledGroup(parent, 'done');
    await eventually(() => sent().some(([symbol]) => symbol === SHORT), 'the short');
    expect(sent()).toEqual([
      [NEAR, 'BUY', 'MARKET', '50'],
      [FAR, 'BUY', 'LIMIT', '50'],
      [SHORT, 'SELL', 'LIMIT', '50'],
    ]);
  }, 30_000);
});
