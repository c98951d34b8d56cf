import { writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { Leg } from '../../src/broker/entities/leg.entity';
import { legTag } from '../../src/broker/leg-tag';
import type { KiteSimulator } from '../../src/simulator';
import { RunningStrategies } from '../../src/broker/running-strategies';
import { EventTally } from '../fixtures/strategies-isolation/counting/counting.strategy';
import { engineEnv, legPlacements, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { signedPostback } from '../helpers/postbacks';
import { createTestApp, tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

const FIXTURES = resolve(__dirname, '..', 'fixtures', 'strategies-isolation');

describe('strategy plugins: discovery, selection and isolation', () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim?.stop();
    tmp.cleanup();
  });

  describe('a throwing and a hanging strategy beside working ones', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startEngine(
        sim,
        engineEnv(sim, join(tmp.dir), {
          STRATEGIES_DIR: FIXTURES,
          STRATEGIES: 'all',
          STRATEGY_TIMEOUT_MS: '300',
          DATABASE_PATH: join(tmp.dir, 'isolation.sqlite'),
        }),
      );
    });
    afterAll(() => t?.close());

    it('loads every strategy file except _folders, including one shipped as a Nest module with its own provider', () => {
      expect(
        t.app
          .get(RunningStrategies)
          .all.map((s) => s.name)
          .sort(),
      ).toEqual(['counting', 'hanger', 'thrower', 'two-leg']);
    });

    it('keeps ingress and the other strategies going, logs and counts the failures', async () => {
      const { order_id: entry } = await place(kiteFor(sim), sbinBuy({ order_type: 'MARKET', price: 0, quantity: 4, product: 'MIS', tag: 'twoleg' }));
      await eventually(() => legPlacements(sim, legTag('two-leg', entry, 'exit')).length === 1, 'the two-leg exit despite the thrower and the hanger');
      await eventually(() => t.app.get(EventTally).seen.includes(`order.completed:${entry}`), 'the counting strategy saw the completion');

      // Ingress is unaffected while the hanger is still "running".
      const ok = await request(t.app.getHttpServer())
        .post('/kite/postback')
        .type('form')
        .send(JSON.stringify(signedPostback({ order_id: '990001' })));
      expect(ok.status).toBe(200);

      // The hanger is given up on after STRATEGY_TIMEOUT_MS.
      const metrics = await eventually(async () => {
        const text = (await request(t.app.getHttpServer()).get('/metrics')).text;
        return /legwork_strategy_failures_total\{strategy="hanger",kind="timeout"\} 1\b/.test(text) && text;
      }, 'the hang reported');
      expect(metrics).toMatch(/legwork_strategy_failures_total\{strategy="thrower",kind="error"\} 1\b/);
      expect(metrics).toMatch(/legwork_strategy_handler_seconds_count\{strategy="two-leg",event="order.completed"\} 1\b/);
    });
  });

  it('discovers a strategy file a user drops into the strategies folder, and it chains legs after a restart', async () => {
    const dir = join(tmp.dir, 'user-strategies', 'scalper');
    mkdirSync(dir, { recursive: true });
    const sdk = resolve(__dirname, '..', '..', 'src', 'sdk').replace(/\\/g, '/');
    writeFileSync(
      join(dir, 'scalper.strategy.ts'),
      `import { OnOrderEvent, OrderEventName, OrderCompletedEvent, Strategy, StrategyContext } from '${sdk}';
@Strategy({ name: 'scalper' })
export class ScalperStrategy {
  @OnOrderEvent(OrderEventName.Completed, { tag: 'scalp' })
  async exit(event: OrderCompletedEvent, ctx: StrategyContext) {
    await ctx.placeLeg('take-profit', { exchange: 'NSE', tradingsymbol: event.order.tradingsymbol!, transaction_type: 'SELL',
      quantity: event.order.filledQuantity, product: 'MIS', order_type: 'LIMIT', price: event.order.averagePrice + 1 });
  }
}
`,
    );
    const env = engineEnv(sim, tmp.dir, {
      STRATEGIES_DIR: join(tmp.dir, 'user-strategies'),
      STRATEGIES: 'all',
      DATABASE_PATH: join(tmp.dir, 'dropped.sqlite'),
    });
    const takeProfit = (entry: string) => legPlacements(sim, legTag('scalper', entry, 'take-profit'));
    const scalp = async (quantity: number) =>
      (await place(kiteFor(sim), sbinBuy({ order_type: 'MARKET', price: 0, quantity, product: 'MIS', tag: 'scalp' }))).order_id;

    let t = await startEngine(sim, env);
    let before: string;
    try {
      expect(t.app.get(RunningStrategies).all.map((s) => s.name)).toEqual(['scalper']);
      before = await scalp(2);
      const [leg] = await eventually(() => takeProfit(before).length === 1 && takeProfit(before), 'the dropped-in strategy placing its leg');
      expect(leg.body).toMatchObject({ transaction_type: 'SELL', quantity: '2', order_type: 'LIMIT' });
    } finally {
      await t.close();
    }

    // While the engine is down, another entry completes; its postback finds no one listening.
    sim.setPostbackFaults({ dropAll: true });
    const whileDown = await scalp(3);
    sim.setPostbackFaults({ dropAll: false });

    // Restarted on the same trade log and folder: the file is found again, the entry missed while down is picked up
    // (reconciliation at start) and chained, and the leg placed before the restart is not placed again.
    t = await startEngine(sim, env);
    try {
      expect(t.app.get(RunningStrategies).all.map((s) => s.name)).toEqual(['scalper']);
      const [leg] = await eventually(async () => {
        await t.settle();
        return takeProfit(whileDown).length === 1 && takeProfit(whileDown);
      }, 'the restarted engine chaining the entry it missed');
      expect(leg.body).toMatchObject({ transaction_type: 'SELL', quantity: '3', order_type: 'LIMIT' });
      const after = await scalp(1);
      await eventually(() => takeProfit(after).length === 1, 'a new entry chained after the restart');
      expect(takeProfit(before)).toHaveLength(1);
      expect(await t.dataSource.getRepository(Leg).countBy({ strategy: 'scalper' })).toBe(3);
    } finally {
      await t.close();
    }
  });

  it('runs only the strategies STRATEGIES names, and refuses to start on a name it cannot find', async () => {
    const t = await createTestApp(
      engineEnv(sim, tmp.dir, { STRATEGIES_DIR: FIXTURES, STRATEGIES: 'two-leg,counting', DATABASE_PATH: join(tmp.dir, 'selected.sqlite') }),
    );
    try {
      expect(
        t.app
          .get(RunningStrategies)
          .all.map((s) => s.name)
          .sort(),
      ).toEqual(['counting', 'two-leg']);
    } finally {
      await t.close();
    }
    await expect(
      createTestApp(engineEnv(sim, tmp.dir, { STRATEGIES_DIR: FIXTURES, STRATEGIES: 'two-leg,nope', DATABASE_PATH: join(tmp.dir, 'x.sqlite') })),
    ).rejects.toThrow(/STRATEGIES names unknown strategies: nope/);
  });

  it('refuses to start on a strategy that breaks the contract, saying which class, which method and what is wrong', async () => {
    const dir = join(tmp.dir, 'bad-strategies');
    mkdirSync(dir, { recursive: true });
    const sdk = resolve(__dirname, '..', '..', 'src', 'sdk').replace(/\\/g, '/');
    writeFileSync(
      join(dir, 'typo.strategy.ts'),
      `import { OnOrderEvent, OrderEventName, Strategy } from '${sdk}';
@Strategy({ name: 'typo' })
export class TypoStrategy {
  @OnOrderEvent(OrderEventName.Completed, { tags: 'scalp' } as never)
  exit() {}
}
`,
    );
    await expect(
      createTestApp(engineEnv(sim, tmp.dir, { STRATEGIES_DIR: dir, STRATEGIES: 'all', DATABASE_PATH: join(tmp.dir, 'typo.sqlite') })),
    ).rejects.toThrow(
      'strategy "typo": TypoStrategy.exit: unknown filter option "tags" (known: tag, own, legName, tradingsymbol, exchange, transactionType, sources, external)',
    );
  });
});
