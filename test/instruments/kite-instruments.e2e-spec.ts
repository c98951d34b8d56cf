import type { KiteSimulator } from '../../src/simulator';
import { instrumentsCsv } from '../../src/simulator/instruments';
import { fetchInstruments } from '../../src/instruments/kite-instruments';
import { startSimulator } from '../helpers/engine-with-simulator';
import { kiteFor, rejectionOf } from '../simulator/kite-client';

describe('fetchInstruments: the instrument CSV through the real kiteconnect client, left for legwork to parse', () => {
  let sim: KiteSimulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim?.stop());

  it('resolves to the CSV exactly as served, where getInstruments() parses it into rows', async () => {
    const kite = kiteFor(sim);
    const csv = instrumentsCsv(sim.getInstruments());
    expect(await fetchInstruments(kite)).toBe(csv);
    expect(Array.isArray(await kite.getInstruments())).toBe(true); // the client itself is unchanged
    const nfo = await fetchInstruments(kite, 'NFO');
    expect(typeof nfo).toBe('string');
    expect(
      (nfo as string)
        .split('\n')
        .slice(1, -1)
        .every((line) => line.endsWith(',NFO')),
    ).toBe(true);
    expect(sim.requests.at(-1)?.path).toBe('/instruments/NFO');
  });

  it("keeps the client's error handling: a TokenException rejects with Kite's error and calls the session-expiry hook", async () => {
    const kite = kiteFor(sim);
    let expired = 0;
    kite.setSessionExpiryHook(() => expired++);
    sim.revokeAccessTokens(sim.options.accessToken);
    try {
      expect(await rejectionOf(fetchInstruments(kite))).toMatchObject({ error_type: 'TokenException' });
      expect(expired).toBe(1);
    } finally {
      sim.grantAccessToken(sim.options.accessToken);
    }
  });
});
