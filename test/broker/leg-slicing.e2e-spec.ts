import { join } from 'node:path';
import { LegGroup } from '../../src/broker/entities/leg-group.entity';
import { Leg } from '../../src/broker/entities/leg.entity';
import { GroupLeg, LegGroupService } from '../../src/broker/leg-group.service';
import { LegRecoveryService } from '../../src/broker/leg-recovery.service';
import { isLegTag } from '../../src/broker/leg-tag';
import { OrderGateway } from '../../src/broker/order-gateway.service';
import type { LegOrder } from '../../src/broker/leg-order';
import { InstrumentsService } from '../../src/instruments/instruments.service';
import type { Alert } from '../../src/notifier/alert';
import type { KiteSimulator } from '../../src/simulator';
import type { InstrumentRow } from '../../src/simulator/instruments';
import { TradeLogService } from '../../src/trade-log/trade-log.service';
import { engineEnv, legPlacements, omsOrdersTagged, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { listedNiftyOption, recordAlerts } from '../helpers/legs';
import { tempDir, TestApp } from '../helpers/test-app';

/**
 * A leg above the exchange's freeze limit (NIFTY: 1800 units, lot 65 → largest order 1755) is sent as slices, each
 * exactly once. Real parts: the kiteconnect client against the simulator (which refuses orders above the freeze limit
 * with Kite's message, and autoslices like Kite's v2 API), real SQLite.
 */
describe('legs above the freeze limit go out as slices, each exactly once', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let parent = 960_000;
  const nextParent = () => String(parent++);
  beforeAll(async () => {
    sim = await startSimulator({ maxQuantity: 100_000 });
  });
  afterAll(async () => {
    await sim?.stop();
    tmp.cleanup();
  });

  /** A SELL LIMIT far above the option's price: it rests until the test fills it. */
  const restingSell = (option: InstrumentRow, quantity: number): LegOrder => ({
    exchange: 'NFO',
    tradingsymbol: option.tradingsymbol,
    transaction_type: 'SELL',
    quantity,
    product: 'NRML',
    order_type: 'LIMIT',
    price: Math.ceil(option.last_price * 3),
  });
  /** A BUY LIMIT at the lowest tick: it rests until the test fills it. */
  const restingBuy = (option: InstrumentRow, quantity: number): LegOrder => ({
    exchange: 'NFO',
    tradingsymbol: option.tradingsymbol,
    transaction_type: 'BUY',
    quantity,
    product: 'NRML',
    order_type: 'LIMIT',
    price: 0.05,
  });
  const placementsOf = (tradingsymbol: string) =>
    sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/orders/') && r.body.tradingsymbol === tradingsymbol);

  async function engine(file: string, extra: Record<string, string> = {}): Promise<{ t: TestApp; alerts: Alert[] }> {
    const t = await startEngine(
      sim,
      engineEnv(sim, tmp.dir, { DATABASE_PATH: join(tmp.dir, file), LEG_SETTLE_WINDOW_MS: '500', LEG_RECOVERY_INTERVAL_SECONDS: '1', ...extra }),
    );
    await eventually(() => t.app.get(InstrumentsService).listInUse(), "the simulator's instrument list, loaded at start");
    return { t, alerts: recordAlerts(t.app) };
  }

  describe('legwork places the slices (AUTOSLICE=off, the default)', () => {
    let t: TestApp;
    let alerts: Alert[];
    beforeAll(async () => ({ t, alerts } = await engine('legwork-slices.sqlite')));
    afterAll(() => t?.close());
    const gateway = () => t.app.get(OrderGateway);
    const settled = async () => {
      await sim.flushPostbacks();
      await t.settle();
    };

    it('NIFTY 1820: two slices, 1755 then 65, each once at Kite with its own tag; their fills add up to the leg', async () => {
      const option = listedNiftyOption(sim, 26_000);
      const before = placementsOf(option.tradingsymbol).length;
      const p = nextParent();
      const outcome = await gateway().placeLeg({ strategy: 'slice-test', parentOrderId: p, legName: 'exit', order: restingSell(option, 1820) });

      expect(outcome).toMatchObject({ status: 'placed', orderId: null, duplicate: false });
      expect(outcome.slices?.map((s) => [s.slice, s.quantity, s.status])).toEqual([
        [1, 1755, 'placed'],
        [2, 65, 'placed'],
      ]);
      const tags = outcome.slices!.map((s) => s.tag);
      expect(tags.every(isLegTag)).toBe(true);
      expect(new Set([outcome.tag, ...tags]).size).toBe(3); // unique per slice; the leg's own tag is never sent
      const requests = placementsOf(option.tradingsymbol).slice(before);
      expect(requests.map((r) => [r.body.tag, r.body.quantity, r.body.autoslice])).toEqual([
        [tags[0], '1755', undefined],
        [tags[1], '65', undefined],
      ]);
      for (const slice of outcome.slices!) {
        expect(omsOrdersTagged(sim, slice.tag).map((o) => [o.order_id, o.quantity])).toEqual([[slice.orderId, slice.quantity]]);
      }
      const rows = await t.dataSource.getRepository(Leg).find({ where: { parentOrderId: p }, order: { slice: 'ASC' } });
      expect(rows.map((r) => [r.slice, r.slices, r.status, r.attempts, r.sliceOf, r.slicing])).toEqual([
        [0, 2, 'placed', 0, null, 'legwork'],
        [1, 0, 'placed', 1, rows[0].id, 'legwork'],
        [2, 0, 'placed', 1, rows[0].id, 'legwork'],
      ]);

      // Asked again (a redelivered event): nothing is sent, the same outcome comes back.
      const again = await gateway().placeLeg({ strategy: 'slice-test', parentOrderId: p, legName: 'exit', order: restingSell(option, 1820) });
      expect(again).toMatchObject({ status: 'placed', duplicate: true, slices: outcome.slices });
      expect(placementsOf(option.tradingsymbol).slice(before)).toHaveLength(2);

      // The exchange fills both slices: the trade log shows the leg filled in all, with its slices under it.
      sim.fillOrder(outcome.slices![0].orderId!, 1755);
      sim.fillOrder(outcome.slices![1].orderId!, 65);
      const chain = await eventually(
        async () => {
          await settled();
          const [view] = await t.app.get(TradeLogService).chains({ chain: p });
          return view?.timeline.find((s) => s.kind === 'leg')?.leg?.filledQuantity === 1820 && view;
        },
        'both slices filled in the trade log',
        10_000,
      );
      expect(chain.timeline.map((s) => [s.kind, s.legName, s.leg?.slice, s.order?.orderId ?? null, s.order?.status ?? null])).toEqual([
        ['leg', 'exit', 0, null, null],
        ['slice', 'exit', 1, outcome.slices![0].orderId, 'COMPLETE'],
        ['slice', 'exit', 2, outcome.slices![1].orderId, 'COMPLETE'],
      ]);
      expect(chain.timeline[0].leg).toMatchObject({ slices: 2, quantity: 1820, filledQuantity: 1820, status: 'placed', slicing: 'legwork' });
      expect(chain.pnl.instruments).toEqual([expect.objectContaining({ tradingsymbol: option.tradingsymbol, soldQuantity: 1820, boughtQuantity: 0 })]);
    });

    it.each([
      ['Kite had placed it: found by its own tag', true, 1, 26_050],
      ['Kite had not: proven absent after the settle window, sent again with the same tag', false, 2, 25_950],
    ])(
      'an unclear answer (503) on the second slice — %s; no slice reaches the book twice',
      async (_, createOrder, sends, strike) => {
        const option = listedNiftyOption(sim, strike);
        const p = nextParent();
        sim.failNextPlacements(1, { status: 503, createOrder, skip: 1 }); // the first slice goes through, the second is hit
        const outcome = await gateway().placeLeg({ strategy: 'slice-test', parentOrderId: p, legName: 'exit', order: restingSell(option, 1820) });
        const [first, second] = outcome.slices!;
        expect(first).toMatchObject({ slice: 1, status: 'placed' });
        const leg = await eventually(
          async () => {
            const row = await t.dataSource.getRepository(Leg).findOneByOrFail({ parentOrderId: p, legName: 'exit', slice: 0 });
            return row.status === 'placed' && row;
          },
          'the leg placed once its second slice is settled',
          15_000,
        );
        expect(leg.slices).toBe(2);
        expect(legPlacements(sim, first.tag)).toHaveLength(1);
        expect(legPlacements(sim, second.tag)).toHaveLength(sends);
        for (const slice of [first, second]) expect(omsOrdersTagged(sim, slice.tag)).toHaveLength(1);
        expect(
          sim
            .getOrders()
            .filter((o) => o.tradingsymbol === option.tradingsymbol)
            .reduce((sum, o) => sum + o.quantity, 0),
        ).toBe(1820);
      },
      30_000,
    );

    it('a group whose protective leg is above the freeze limit: the second wave waits for every slice to fill, and is sliced too', async () => {
      const hedge = listedNiftyOption(sim, 26_300);
      const short = listedNiftyOption(sim, 26_100);
      const p = nextParent();
      const legs: GroupLeg[] = [
        { legName: 'hedge', order: restingBuy(hedge, 1820) },
        { legName: 'short', order: restingSell(short, 1820) },
      ];
      const group = await t.app.get(LegGroupService).placeGroup({ strategy: 'slice-test', parentOrderId: p, name: 'spread', legs, fillTimeoutMs: 60_000 });
      expect(group.status).toBe('waiting');
      const hedgeSlices = await t.dataSource.getRepository(Leg).find({ where: { parentOrderId: p, legName: 'spread/hedge' }, order: { slice: 'ASC' } });
      expect(hedgeSlices.map((l) => [l.slice, l.status, l.orderId && sim.getOrder(l.orderId)?.quantity])).toEqual([
        [0, 'placed', null],
        [1, 'placed', 1755],
        [2, 'placed', 65],
      ]);

      sim.fillOrder(hedgeSlices[1].orderId!, 1755);
      await settled();
      await t.app.get(LegGroupService).advance(group.id);
      expect(placementsOf(short.tradingsymbol)).toHaveLength(0); // one slice of the hedge is still open

      sim.fillOrder(hedgeSlices[2].orderId!, 65);
      await eventually(
        async () => {
          await settled();
          return (await t.dataSource.getRepository(LegGroup).findOneByOrFail({ id: group.id })).status === 'done';
        },
        'the group done',
        10_000,
      );
      expect(placementsOf(short.tradingsymbol).map((r) => r.body.quantity)).toEqual(['1755', '65']);
      const shortLeg = await t.dataSource.getRepository(Leg).findOneByOrFail({ parentOrderId: p, legName: 'spread/short', slice: 0 });
      expect(shortLeg).toMatchObject({ status: 'placed', slices: 2 });
    }, 30_000);

    it('a group unwinding: what filled of all the slices is reversed, the reversal itself sliced, each slice once', async () => {
      const hedge = listedNiftyOption(sim, 26_400);
      const short = listedNiftyOption(sim, 26_150);
      const p = nextParent();
      const legs: GroupLeg[] = [
        { legName: 'hedge', order: restingBuy(hedge, 3575) },
        { legName: 'short', order: restingSell(short, 3575) },
      ];
      const group = await t.app.get(LegGroupService).placeGroup({ strategy: 'slice-test', parentOrderId: p, name: 'spread', legs, fillTimeoutMs: 60_000 });
      const hedgeSlices = await t.dataSource.getRepository(Leg).find({ where: { parentOrderId: p, legName: 'spread/hedge' }, order: { slice: 'ASC' } });
      expect(hedgeSlices.slice(1).map((l) => sim.getOrder(l.orderId!)?.quantity)).toEqual([1755, 1755, 65]);

      // Two slices fill, the exchange rejects the third: the group unwinds and reverses 3510 (above 1755: two slices).
      sim.fillOrder(hedgeSlices[1].orderId!, 1755);
      sim.fillOrder(hedgeSlices[2].orderId!, 1755);
      sim.rejectOrder(hedgeSlices[3].orderId!, 'Insufficient funds');
      const done = await eventually(
        async () => {
          await settled();
          const g = await t.dataSource.getRepository(LegGroup).findOneByOrFail({ id: group.id });
          return g.status === 'unwound' && g;
        },
        'the group unwound',
        20_000,
      );
      expect(done.reason).toMatch(/spread\/hedge \(slice 3\) was REJECTED: Insufficient funds/);
      const reversal = await t.dataSource.getRepository(Leg).find({ where: { parentOrderId: p, legName: 'spread/hedge:unwind' }, order: { slice: 'ASC' } });
      expect(reversal.map((l) => [l.slice, l.status])).toEqual([
        [0, 'placed'],
        [1, 'placed'],
        [2, 'placed'],
      ]);
      for (const slice of reversal.slice(1)) expect(legPlacements(sim, slice.tag)).toHaveLength(1);
      expect(
        reversal
          .slice(1)
          .map((l) => sim.getOrder(l.orderId!))
          .map((o) => [o?.transaction_type, o?.quantity, o?.status]),
      ).toEqual([
        ['SELL', 1755, 'COMPLETE'],
        ['SELL', 1755, 'COMPLETE'],
      ]);
      expect(placementsOf(short.tradingsymbol)).toHaveLength(0);
      expect(alerts.find((a) => a.title.startsWith('Leg group unwound'))?.text).toContain(`Reversed: SELL 3510 ${hedge.tradingsymbol}`);
    }, 40_000);
  });

  describe("Kite's autoslice (AUTOSLICE=auto): one request, Kite places the slices", () => {
    let t: TestApp;
    let alerts: Alert[];
    beforeAll(async () => ({ t, alerts } = await engine('autoslice.sqlite', { AUTOSLICE: 'auto' })));
    afterAll(() => t?.close());
    const gateway = () => t.app.get(OrderGateway);
    const autosliceParentIn = (order: { tags: string[] }) => order.tags.find((tag) => tag.startsWith('autoslice:'))?.slice('autoslice:'.length);
    const legRow = (p: string) => t.dataSource.getRepository(Leg).findOneByOrFail({ parentOrderId: p, legName: 'exit', slice: 0 });

    it('NIFTY 3575: one autoslice request; a slice Kite refuses (MarginException) fails alone, with an alert; nothing is sent again', async () => {
      const option = listedNiftyOption(sim, 26_200);
      const p = nextParent();
      sim.failNextAutoslices([1]);
      const outcome = await gateway().placeLeg({ strategy: 'slice-test', parentOrderId: p, legName: 'exit', order: restingSell(option, 3575) });

      const requests = placementsOf(option.tradingsymbol);
      expect(requests.map((r) => [r.body.tag, r.body.quantity, r.body.autoslice])).toEqual([[outcome.tag, '3575', 'true']]);
      expect(outcome.status).toBe('failed'); // not all of it went out
      expect(outcome.slices?.map((s) => [s.slice, s.quantity, s.status, s.error?.errorType])).toEqual([
        [1, 1755, 'placed', undefined],
        [2, 1755, 'failed', 'MarginException'],
        [3, 65, 'placed', undefined],
      ]);
      const book = sim.getOrders().filter((o) => o.tradingsymbol === option.tradingsymbol);
      expect(book.map((o) => o.order_id)).toEqual([outcome.slices![0].orderId, outcome.slices![2].orderId]);
      const kiteParent = autosliceParentIn(book[0]);
      expect(book.map(autosliceParentIn)).toEqual([kiteParent, kiteParent]);
      expect(await legRow(p)).toMatchObject({ status: 'failed', slicing: 'autoslice', slices: 3, autosliceParentId: kiteParent });
      const alert = await eventually(() => alerts.find((a) => a.title === 'Leg not placed: slice-test/exit (slice 2)'), 'the alert for the refused slice');
      expect(alert.text).toMatch(/^MarginException: Insufficient funds.*\(slice 2 of autoslice order \d+\)$/);

      await t.app.get(LegRecoveryService).recover();
      expect(placementsOf(option.tradingsymbol)).toHaveLength(1);
    });

    it("an unclear answer (503 after Kite placed the slices): found by the leg's tag and their autoslice:<parent> tag; nothing sent again", async () => {
      const option = listedNiftyOption(sim, 26_250);
      const p = nextParent();
      sim.failNextPlacements(1, { status: 503, createOrder: true });
      const outcome = await gateway().placeLeg({ strategy: 'slice-test', parentOrderId: p, legName: 'exit', order: restingSell(option, 3575) });
      // The gateway's one early look in the book already finds them.
      expect(outcome.status).toBe('placed');
      const leg = await legRow(p);
      expect(leg.status).toBe('placed');

      const book = sim.getOrders().filter((o) => o.tradingsymbol === option.tradingsymbol);
      expect(book).toHaveLength(3);
      expect(leg.autosliceParentId).toBe(autosliceParentIn(book[0]));
      const slices = await t.dataSource.getRepository(Leg).find({ where: { sliceOf: leg.id }, order: { slice: 'ASC' } });
      expect(slices.map((s) => [s.status, s.orderId && sim.getOrder(s.orderId)?.quantity])).toEqual([
        ['placed', 1755],
        ['placed', 1755],
        ['placed', 65],
      ]);
      expect(new Set(slices.map((s) => s.orderId)).size).toBe(3);
      expect(placementsOf(option.tradingsymbol)).toHaveLength(1);
    }, 20_000);

    it('an unclear answer and no slice shows: given up after the settle window (AutosliceUnclear, alerted), never sent again', async () => {
      const option = listedNiftyOption(sim, 26_350);
      const p = nextParent();
      sim.failNextPlacements(1, { status: 503, createOrder: false });
      const outcome = await gateway().placeLeg({ strategy: 'slice-test', parentOrderId: p, legName: 'exit', order: restingSell(option, 3575) });
      expect(outcome.status).toBe('pending');
      const leg = await eventually(
        async () => {
          const row = await legRow(p);
          return row.status === 'failed' && row;
        },
        'the slices given up after the settle window',
        15_000,
      );
      const slices = await t.dataSource.getRepository(Leg).find({ where: { sliceOf: leg.id } });
      expect(slices.map((s) => s.errorType)).toEqual(['AutosliceUnclear', 'AutosliceUnclear', 'AutosliceUnclear']);
      await t.app.get(LegRecoveryService).recover();
      expect(placementsOf(option.tradingsymbol)).toHaveLength(1);
      expect(sim.getOrders().filter((o) => o.tradingsymbol === option.tradingsymbol)).toHaveLength(0);
      const alert = await eventually(() => alerts.find((a) => a.fields?.chain === p && /AutosliceUnclear/.test(a.text)), 'the alert');
      expect(alert.text).toContain(`SELL orders tagged "autoslice" on NFO:${option.tradingsymbol}`);
    }, 30_000);
  });
});
