import { join } from 'node:path';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { KiteSessionService } from '../../src/kite-session/kite-session.service';
import { Leg } from '../../src/broker/entities/leg.entity';
import { LegEventName, LegFailedEvent } from '../../src/events';
import type { KiteSimulator } from '../../src/simulator';
import { startEngineProcess } from '../helpers/engine-process';
import { engineEnv, legPlacements, legsInFile, omsOrdersTagged, restartedEngineEnv, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { tempDir, TestApp } from '../helpers/test-app';
import { enterTwoLeg } from '../helpers/two-leg-entry';

describe('exactly-once legs when Kite answers unclearly, refuses, or the engine dies mid-placement', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim?.stop();
    tmp.cleanup();
  });

  describe('in one process', () => {
    let t: TestApp;
    let url: string;
    beforeAll(async () => {
      t = await startEngine(
        sim,
        engineEnv(sim, tmp.dir, { STRATEGIES: 'two-leg', DATABASE_PATH: join(tmp.dir, 'inproc.sqlite'), LEG_SETTLE_WINDOW_MS: '500' }),
      );
      url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    });
    afterAll(() => t?.close());
    const legOf = (tag: string) =>
      eventually(async () => {
        const leg = await t.dataSource.getRepository(Leg).findOneBy({ tag });
        return leg && (leg.status === 'placed' || leg.status === 'failed') ? leg : null;
      }, `leg ${tag} settled`);

    it('a 503 after Kite created the order: found by tag, not placed again', async () => {
      sim.failNextPlacements(1, { status: 503, createOrder: true });
      const { tag } = await enterTwoLeg(url);
      const leg = await legOf(tag);
      expect(leg.status).toBe('placed');
      expect(legPlacements(sim, tag)).toHaveLength(1);
      expect(omsOrdersTagged(sim, tag)).toHaveLength(1);
      expect(leg.orderId).toBe(omsOrdersTagged(sim, tag)[0].order_id);
    });

    it('a 502 before Kite created it: the OMS still has no such tag after the settle window, so it is placed again, once', async () => {
      sim.failNextPlacements(1, { status: 502, createOrder: false });
      const { tag } = await enterTwoLeg(url);
      const leg = await legOf(tag);
      expect([leg.status, leg.attempts]).toEqual(['placed', 2]);
      expect(legPlacements(sim, tag)).toHaveLength(2);
      expect(omsOrdersTagged(sim, tag)).toHaveLength(1);
    });

    it('a refusal (expired token) is not retried: the leg is failed with the reason and leg.failed is emitted', async () => {
      const failed: LegFailedEvent[] = [];
      t.app.get(EventEmitter2).on(LegEventName.Failed, (e: LegFailedEvent) => void failed.push(e));
      sim.revokeAccessTokens(sim.options.accessToken);
      try {
        // The entry's COMPLETE postback arrives; the engine's token expired overnight.
        const { entry, tag } = await enterTwoLeg(url);
        const leg = await legOf(tag);
        expect(leg).toMatchObject({ status: 'failed', errorType: 'TokenException', attempts: 1 });
        expect(legPlacements(sim, tag)).toHaveLength(1);
        // The leg row is committed before leg.failed goes out (after its fsync): wait for the event, do not race it.
        await eventually(() => failed.length > 0, 'leg.failed emitted');
        expect(failed.map((e) => [e.leg.parentOrderId, e.errorType])).toEqual([[entry, 'TokenException']]);
        expect(t.app.get(KiteSessionService).status().state).toBe('expired');
      } finally {
        sim.grantAccessToken(sim.options.accessToken);
      }
    });
  });

  describe('engine killed (kill -9) while the exit leg is in flight, then restarted', () => {
    const crashEnv = (file: string) => restartedEngineEnv(sim, tmp.dir, file, { STRATEGIES: 'two-leg' });
    const legsIn = (file: string) => legsInFile(join(tmp.dir, file));

    it.each([
      ['Kite had already created the order', true],
      ['Kite never received it', false],
    ])(
      '%s → exactly one exit order in the OMS after the restart',
      async (_, createOrder) => {
        const file = `crash-${createOrder}.sqlite`;
        let engine = await startEngineProcess(crashEnv(file));
        sim.setPostbackUrl(`${engine.url}/kite/postback`);
        sim.timeoutNextPlacements(1, { holdMs: 60_000, createOrder });
        const { tag } = await enterTwoLeg(engine.url, 7);
        await eventually(() => legPlacements(sim, tag).length === 1, 'the exit placement reaching Kite', 20_000);
        await engine.kill9(); // mid-call: the engine never learns the outcome
        sim.clearFaults();

        engine = await startEngineProcess(crashEnv(file));
        try {
          sim.setPostbackUrl(`${engine.url}/kite/postback`);
          await eventually(() => omsOrdersTagged(sim, tag).length === 1 && /leg recovery: /.test(engine.output()), 'recovery at start', 20_000);
          await eventually(async () => (await legsIn(file)).find((l) => l.tag === tag)?.status === 'placed', 'the leg marked placed', 10_000);
        } finally {
          await engine.stop();
        }
        expect(omsOrdersTagged(sim, tag)).toHaveLength(1);
        expect(legPlacements(sim, tag)).toHaveLength(createOrder ? 1 : 2);
        const [leg] = (await legsIn(file)).filter((l) => l.tag === tag);
        expect(leg).toMatchObject({ status: 'placed', orderId: omsOrdersTagged(sim, tag)[0].order_id });
        expect(engine.output()).toContain(createOrder ? '1 found in the OMS, 0 placed now' : '0 found in the OMS, 1 placed now');
      },
      90_000,
    );
  });
});
