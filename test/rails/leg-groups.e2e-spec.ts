import { Leg } from '../../src/broker/entities/leg.entity';
import { GroupLeg, LegGroupService } from '../../src/broker/leg-group.service';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, legPlacements, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { tempDir, TestApp } from '../helpers/test-app';

const option = (tradingsymbol: string, side: 'BUY' | 'SELL', legName: string, type: 'MARKET' | 'LIMIT' = 'MARKET', price?: number): GroupLeg => ({
  legName,
  order: {
    exchange: 'NFO',
    tradingsymbol,
    transaction_type: side,
    quantity: 50,
    product: 'NRML',
    order_type: type,
    ...(type === 'MARKET' ? { market_protection: -1 } : { price }),
  },
});

describe('hedge-aware leg groups: protective legs first, the rest after their fills, unwind on failure', () => {
  // Each test has its own simulator and trade log: none relies on a group another test placed.
  let tmp: ReturnType<typeof tempDir>;
  let sim: KiteSimulator;
  let t: TestApp;
  beforeEach(async () => {
    tmp = tempDir();
    sim = await startSimulator({
      startPrices: { NIFTY24DEC24000CE: 100, NIFTY24DEC24200CE: 40, NIFTY24DEC24400CE: 15 },
      rejectSymbols: ['NIFTY24DEC24400CE'], // the RMS rejects this hedge after accepting it
    });
    t = await startEngine(sim, engineEnv(sim, tmp.dir));
  });
  afterEach(async () => {
    await t?.close();
    await sim?.stop();
    tmp.cleanup();
  });
  const groups = () => t.app.get(LegGroupService);
  const settled = (id: number) =>
    eventually(
      async () => {
        await t.settle();
        const g = await t.dataSource.getRepository('LegGroup').findOneByOrFail({ id });
        // Settled: done, or unwound (an unwinding group is unwound once its reversals have filled).
        return !['waiting', 'unwinding'].includes((g as { status: string }).status) && (g as { status: string; reason: string | null });
      },
      'the group to settle',
      10_000,
    );

  it('entry: the hedge fills first, then the short is sold', async () => {
    sim.clearRequests();
    const group = await groups().placeGroup({
      strategy: 'groups-test',
      parentOrderId: '800001',
      name: 'short-call',
      legs: [option('NIFTY24DEC24000CE', 'SELL', 'short', 'LIMIT', 90), option('NIFTY24DEC24200CE', 'BUY', 'hedge')],
    });
    expect(await settled(group.id)).toMatchObject({ status: 'done', reason: null });
    expect(legPlacements(sim).map((r) => [r.body.tradingsymbol, r.body.transaction_type])).toEqual([
      ['NIFTY24DEC24200CE', 'BUY'], // protective first
      ['NIFTY24DEC24000CE', 'SELL'],
    ]);
  });

  it('a rejected hedge unwinds the hedge that had filled; the short is never sold', async () => {
    sim.clearRequests();
    const group = await groups().placeGroup({
      strategy: 'groups-test',
      parentOrderId: '800002',
      name: 'short-strangle',
      legs: [
        option('NIFTY24DEC24000CE', 'SELL', 'short', 'LIMIT', 90),
        option('NIFTY24DEC24200CE', 'BUY', 'hedge-near'),
        option('NIFTY24DEC24400CE', 'BUY', 'hedge-far'),
      ],
    });
    const state = await settled(group.id);
    expect(state).toMatchObject({ status: 'unwound', reason: expect.stringMatching(/short-strangle\/hedge-far was REJECTED/) });
    await eventually(() => legPlacements(sim).length === 3, 'the unwind leg');
    expect(legPlacements(sim).map((r) => [r.body.tradingsymbol, r.body.transaction_type, r.body.quantity])).toEqual([
      ['NIFTY24DEC24200CE', 'BUY', '50'],
      ['NIFTY24DEC24400CE', 'BUY', '50'],
      ['NIFTY24DEC24200CE', 'SELL', '50'], // the filled hedge, reversed
    ]);
    const unwind = await t.dataSource.getRepository(Leg).findOneByOrFail({ parentOrderId: '800002', legName: 'short-strangle/hedge-near:unwind' });
    expect(unwind.status).toBe('placed');
  });

  it('exit: the short is bought back first, the hedge sold only after', async () => {
    sim.clearRequests();
    const group = await groups().placeGroup({
      strategy: 'groups-test',
      parentOrderId: '800003',
      name: 'close',
      direction: 'exit',
      legs: [option('NIFTY24DEC24200CE', 'SELL', 'hedge'), option('NIFTY24DEC24000CE', 'BUY', 'short')],
    });
    expect(await settled(group.id)).toMatchObject({ status: 'done' });
    expect(legPlacements(sim).map((r) => [r.body.tradingsymbol, r.body.transaction_type])).toEqual([
      ['NIFTY24DEC24000CE', 'BUY'],
      ['NIFTY24DEC24200CE', 'SELL'],
    ]);
  });

  it('asked twice (a redelivered event), nothing is placed again', async () => {
    const shortCall = {
      strategy: 'groups-test',
      parentOrderId: '800004',
      name: 'short-call',
      legs: [option('NIFTY24DEC24000CE', 'SELL', 'short', 'LIMIT', 90), option('NIFTY24DEC24200CE', 'BUY', 'hedge')],
    };
    const first = await groups().placeGroup(shortCall);
    expect(await settled(first.id)).toMatchObject({ status: 'done' });
    expect(legPlacements(sim)).toHaveLength(2);
    sim.clearRequests();
    const again = await groups().placeGroup(shortCall);
    expect(again).toMatchObject({ id: first.id, status: 'done' });
    expect(legPlacements(sim)).toHaveLength(0);
    expect(await t.dataSource.getRepository(Leg).countBy({ parentOrderId: '800004' })).toBe(2);
  });
});
