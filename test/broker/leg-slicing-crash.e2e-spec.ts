import { join } from 'node:path';
import { legTag } from '../../src/broker/leg-tag';
import type { KiteSimulator } from '../../src/simulator';
import { EngineProcess, startEngineProcess } from '../helpers/engine-process';
import { legPlacements, legsInFile, omsOrdersTagged, restartedEngineEnv, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { listedNiftyOption } from '../helpers/legs';
import { tempDir } from '../helpers/test-app';
import { enterTwoLeg } from '../helpers/two-leg-entry';

/**
 * The engine dies (kill -9) while it is sending a leg's slices: the first is placed, the second is in flight, the third
 * not sent yet. After the restart every slice is at Kite exactly once: the first is left alone, the second is settled
 * by evidence (found by its tag, or proven absent after the settle window and sent again with the same tag), the third
 * is sent once its dead sender's claim has run out.
 */
describe('engine killed (kill -9) in the middle of a sliced leg, then restarted: no slice is sent twice', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ maxQuantity: 100_000 });
  });
  afterAll(async () => {
    sim?.releaseHeldPlacements();
    await sim?.stop();
    tmp.cleanup();
  });

  const legsIn = (file: string) => legsInFile(join(tmp.dir, file));
  async function started(file: string): Promise<EngineProcess> {
    const engine = await startEngineProcess(restartedEngineEnv(sim, tmp.dir, file, { STRATEGIES: 'two-leg' }));
    sim.setPostbackUrl(`${engine.url}/kite/postback`);
    // The day's instrument list decides the slicing: wait until the engine has it.
    await eventually(async () => ((await (await fetch(`${engine.url}/instruments`)).json()) as { list: unknown }).list, 'the instrument list loaded', 30_000);
    return engine;
  }

  it.each([
    ['Kite had already created the second slice', true, 25_800],
    ['Kite never received the second slice', false, 25_750],
  ])(
    '%s → each of the three slices once in the book after the restart',
    async (_, createOrder, strike) => {
      const file = `slices-crash-${createOrder}.sqlite`;
      const option = listedNiftyOption(sim, strike);
      let engine = await started(file);
      // two-leg's exit for an entry of 3575 (55 lots): slices of 1755, 1755 and 65. The first goes through, the second hangs.
      sim.timeoutNextPlacements(1, { holdMs: 60_000, createOrder, skip: 1 });
      const { entry } = await enterTwoLeg(engine.url, 3575, {
        exchange: 'NFO',
        tradingsymbol: option.tradingsymbol,
        product: 'NRML',
        average_price: Math.ceil(option.last_price * 3),
      });
      const tags = [1, 2, 3].map((slice) => legTag('two-leg', entry, 'exit', slice));
      await eventually(() => legPlacements(sim, tags[1]).length === 1, 'the second slice reaching Kite', 30_000);
      await engine.kill9(); // mid-call: the engine never learns the second slice's outcome, and never sends the third
      sim.clearFaults();
      expect(legPlacements(sim, tags[2])).toHaveLength(0);

      engine = await started(file);
      try {
        await eventually(
          async () => (await legsIn(file)).find((l) => l.parentOrderId === entry && l.slice === 0)?.status === 'placed',
          'the leg placed after the restart',
          30_000,
        );
      } finally {
        await engine.stop();
      }
      for (const tag of tags) expect(omsOrdersTagged(sim, tag)).toHaveLength(1);
      expect(tags.map((tag) => legPlacements(sim, tag).length)).toEqual([1, createOrder ? 1 : 2, 1]);
      expect(tags.map((tag) => omsOrdersTagged(sim, tag)[0].quantity)).toEqual([1755, 1755, 65]);
      const legs = (await legsIn(file)).filter((l) => l.parentOrderId === entry).sort((a, b) => a.slice - b.slice);
      expect(legs.map((l) => [l.slice, l.status, l.orderId])).toEqual([
        [0, 'placed', null],
        ...tags.map((tag, i) => [i + 1, 'placed', omsOrdersTagged(sim, tag)[0].order_id]),
      ]);
    },
    120_000,
  );
});
