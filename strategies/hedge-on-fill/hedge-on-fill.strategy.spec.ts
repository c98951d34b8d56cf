import { openInstrumentStore, InstrumentStoreFixture, simulatorInstruments } from '../../test/helpers/instrument-store';
import { tempDir } from '../../test/helpers/test-app';
import { chooseHedge } from './hedge-on-fill.strategy';

describe('hedge-on-fill picks a listed strike from the instrument list', () => {
  const tmp = tempDir();
  let f: InstrumentStoreFixture;
  let expiry: string;
  const symbol = (strike: number, type: 'CE' | 'PE') => f.lookup.options({ underlying: 'NIFTY', expiry, strike, type }).then(([o]) => o.tradingsymbol);

  beforeAll(async () => {
    f = await openInstrumentStore(tmp.dir, () => '2026-01-20');
    await f.load('2026-01-20', simulatorInstruments(new Date('2026-01-20T10:00:00+05:30'))); // NIFTY strikes 25500…26500, 50 apart
    [expiry] = await f.lookup.expiries('NIFTY', { type: 'CE' });
  });
  afterAll(async () => {
    await f.close();
    tmp.cleanup();
  });

  it('a call hedges `distance` points above, a put below, same underlying, expiry and type', async () => {
    const call = await chooseHedge(f.lookup, 'NFO', await symbol(26_000, 'CE'), 200);
    expect(call).toEqual({ wanted: 26_200, hedge: expect.objectContaining({ tradingsymbol: await symbol(26_200, 'CE'), expiry, strike: 26_200 }) });
    const put = await chooseHedge(f.lookup, 'NFO', await symbol(26_000, 'PE'), 300);
    expect(put).toEqual({ wanted: 25_700, hedge: expect.objectContaining({ tradingsymbol: await symbol(25_700, 'PE') }) });
  });

  it('takes the nearest listed strike, still further out of the money, when the exact one is not listed', async () => {
    expect(await chooseHedge(f.lookup, 'NFO', await symbol(26_000, 'CE'), 130)).toMatchObject({ wanted: 26_130, hedge: { strike: 26_150 } });
    expect(await chooseHedge(f.lookup, 'NFO', await symbol(26_400, 'CE'), 200)).toMatchObject({ wanted: 26_600, hedge: { strike: 26_500 } });
    expect(await chooseHedge(f.lookup, 'NFO', await symbol(26_000, 'CE'), 25)).toMatchObject({ wanted: 26_025, hedge: { strike: 26_050 } });
  });

  it('says why there is no hedge: nothing further out listed, not an option, not in the list', async () => {
    expect(await chooseHedge(f.lookup, 'NFO', await symbol(26_500, 'CE'), 200)).toEqual({
      problem: `no NIFTY ${expiry} CE is listed above the sold strike 26500 (wanted 26700)`,
    });
    expect(await chooseHedge(f.lookup, 'NFO', await symbol(25_500, 'PE'), 100)).toMatchObject({
      problem: expect.stringMatching(/listed below the sold strike 25500/),
    });
    expect(await chooseHedge(f.lookup, 'NSE', 'SBIN', 200)).toEqual({ problem: 'NSE:SBIN is not an option (EQ in the instrument list)' });
    expect(await chooseHedge(f.lookup, 'NFO', 'NIFTY24DEC24000CE', 200)).toEqual({
      problem: expect.stringMatching(/^NFO:NIFTY24DEC24000CE is not in the instrument list in use \(2026-01-20's, \d+ rows\)$/),
    });
  });
});
