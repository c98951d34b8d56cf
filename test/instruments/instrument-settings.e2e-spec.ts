import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FactoryProvider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import request from 'supertest';
import { loadLegworkConfig } from '../../src/config/legwork.config';
import { SHIPPED_FREEZE_LIMITS_SOURCE } from '../../src/instruments/freeze-limits';
import { freezeLimitTableProvider } from '../../src/instruments/freeze-limit.table';
import { createTestApp, tempDir, testEnv } from '../helpers/test-app';

describe('instrument settings: freeze table overrides, refresh time, exchanges', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('layers FREEZE_LIMITS over NSE’s qtyfreeze.csv over the shipped table, and shows the table with its sources', async () => {
    const file = join(tmp.dir, 'qtyfreeze.csv');
    writeFileSync(file, 'S.No.,SYMBOL    ,VOL_FRZ_QTY    \n1    ,BANKNIFTY ,900            \n2    ,SBIN      ,30000          \n');
    const t = await createTestApp(testEnv(tmp.dir, { FREEZE_LIMITS: 'NIFTY=1755, sbin=25000', FREEZE_LIMITS_FILE: file }));
    try {
      const { body } = await request(t.app.getHttpServer()).get('/instruments').expect(200);
      expect(body.freezeLimits.limits).toMatchObject({ NIFTY: 1755, BANKNIFTY: 900, SBIN: 25000, SENSEX: 1000 });
      expect(body.freezeLimits.sources).toMatchObject({
        NIFTY: 'FREEZE_LIMITS',
        BANKNIFTY: `FREEZE_LIMITS_FILE ${file}`,
        SBIN: 'FREEZE_LIMITS',
        SENSEX: SHIPPED_FREEZE_LIMITS_SOURCE,
      });
      // Paper mode without a simulator: nothing to load from, and it says so instead of failing.
      expect(body).toMatchObject({ list: null, autoload: true, lastFailure: null });
    } finally {
      await t.close();
    }
  });

  it('refuses to start on a freeze file it cannot use, naming the setting and the file', () => {
    // The provider's factory as Nest runs it at start (a throw there stops the start); called directly so no half-built
    // engine is left connecting to its database behind the test.
    const table = (env: Record<string, string>) => {
      const config = new ConfigService(loadLegworkConfig({ LEGWORK_MODE: 'paper', ...env }));
      return (freezeLimitTableProvider as FactoryProvider).useFactory(config);
    };
    const file = join(tmp.dir, 'wrong.csv');
    writeFileSync(file, 'NAME,QTY\nNIFTY,1800\n');
    expect(() => table({ FREEZE_LIMITS_FILE: file })).toThrow(
      `FREEZE_LIMITS_FILE ${file}: expected NSE's qtyfreeze.csv columns SYMBOL and VOL_FRZ_QTY, found: NAME, QTY`,
    );
    expect(() => table({ FREEZE_LIMITS_FILE: join(tmp.dir, 'missing.csv') })).toThrow(/^FREEZE_LIMITS_FILE .*missing\.csv: ENOENT/);
    expect(table({ FREEZE_LIMITS: 'BANKNIFTY=900' }).limits).toMatchObject({ BANKNIFTY: 900, NIFTY: 1800 });
  });

  it('validates the settings at start with messages naming them', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadLegworkConfig({ LEGWORK_MODE: 'paper', ...env });
        return [];
      } catch (error) {
        return (error as { problems: string[] }).problems;
      }
    };
    expect(problems({ FREEZE_LIMITS: 'NIFTY=1800,BANKNIFTY' })).toEqual([expect.stringMatching(/^FREEZE_LIMITS must look like NIFTY=1800,BANKNIFTY=600/)]);
    expect(problems({ FREEZE_LIMITS: 'NIFTY=0' })).toHaveLength(1);
    expect(problems({ INSTRUMENTS_REFRESH_AT: '8:30' })).toEqual([expect.stringMatching(/^INSTRUMENTS_REFRESH_AT must be a time of day as HH:MM \(IST\)/)]);
    expect(problems({ INSTRUMENTS_EXCHANGES: 'NSE;NFO' })).toEqual([expect.stringMatching(/^INSTRUMENTS_EXCHANGES must be a comma-separated list/)]);
    expect(problems({ INSTRUMENTS_AUTOLOAD: 'sometimes' })).toHaveLength(1);
    expect(loadLegworkConfig({ LEGWORK_MODE: 'paper', INSTRUMENTS_EXCHANGES: 'nse, NFO', INSTRUMENTS_AUTOLOAD: 'false' }).instruments).toMatchObject({
      exchanges: ['NSE', 'NFO'],
      autoload: false,
      refreshAt: '08:30',
    });
  });
});
