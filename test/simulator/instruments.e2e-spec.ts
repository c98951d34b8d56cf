import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { KiteSimulator } from '../../src/simulator';
import { kiteFor, Kite } from './kite-client';

const MOCK_HEADER = readFileSync(join(__dirname, '../fixtures/kite-instruments-nse.csv'), 'utf8').split(/\r?\n/)[0];

/** GET with a chosen Accept-Encoding (fetch always asks for gzip and decodes it): status, headers and the raw bytes. */
function rawGet(sim: KiteSimulator, path: string, acceptEncoding?: string): Promise<{ headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'X-Kite-Version': '3', Authorization: `token ${sim.options.apiKey}:${sim.options.accessToken}` };
    if (acceptEncoding) headers['Accept-Encoding'] = acceptEncoding;
    request(`${sim.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('the instrument list, through the official kiteconnect client', () => {
  let sim: KiteSimulator;
  let kite: Kite;

  beforeEach(async () => {
    sim = await new KiteSimulator({ seed: 2 }).start();
    kite = kiteFor(sim);
  });
  afterEach(() => sim.stop());

  it('serves a CSV that getInstruments() parses into typed rows, with kiteconnect’s phantom last row', async () => {
    const instruments = await kite.getInstruments();
    const listed = sim.getInstruments();
    // The CSV ends in a newline, like Kite's: papaparse turns it into one empty row that callers must filter.
    expect(instruments).toHaveLength(listed.length + 1);
    expect(instruments.at(-1)).toMatchObject({ instrument_token: '', lot_size: NaN, strike: NaN });
    const rows = instruments.slice(0, -1);
    expect(Object.keys(rows[0]).join(',')).toBe(MOCK_HEADER);

    const option = rows.find((row) => row.segment === 'NFO-OPT' && row.name === 'NIFTY')!;
    expect(option).toMatchObject({ exchange: 'NFO', lot_size: 65, tick_size: 0.05, instrument_type: expect.stringMatching(/^(CE|PE)$/) });
    expect(typeof option.instrument_token).toBe('string'); // kiteconnect leaves tokens as strings
    expect(option.expiry).toBeInstanceOf(Date);
    expect(option.expiry.getTime()).toBeGreaterThan(Date.now()); // expiries are in the future
    expect(rows.find((row) => row.tradingsymbol === 'SBIN')).toMatchObject({ instrument_token: '779521', lot_size: 1, expiry: '', strike: 0 });
    expect(rows.filter((row) => row.segment === 'NFO-OPT' && row.name === 'BANKNIFTY').every((row) => row.lot_size === 30)).toBe(true);

    // The walk opens each listed instrument at its list price.
    const listedOption = listed.find((row) => row.tradingsymbol === option.tradingsymbol)!;
    expect(sim.getPrice(option.tradingsymbol)).toBe(listedOption.last_price);
    expect(option.last_price).toBe(listedOption.last_price);
  });

  it('filters by exchange on /instruments/:exchange', async () => {
    const nfo = (await kite.getInstruments('NFO')).filter((row) => row.instrument_token !== '');
    expect(nfo.length).toBeGreaterThan(100);
    expect(new Set(nfo.map((row) => row.exchange))).toEqual(new Set(['NFO']));
    expect(sim.requests.at(-1)?.path).toBe('/instruments/NFO');
  });

  it('answers with Content-Type exactly text/csv, gzip-encoded when the client accepts it', async () => {
    const plain = await rawGet(sim, '/instruments/NSE');
    expect(plain.headers['content-type']).toBe('text/csv');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const text = plain.body.toString('utf8');
    expect(text.split('\n')[0]).toBe(MOCK_HEADER);
    expect(text.endsWith('\n')).toBe(true);

    const gzipped = await rawGet(sim, '/instruments/NSE', 'gzip, deflate');
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.body).toString('utf8')).toBe(text);
  });
});
