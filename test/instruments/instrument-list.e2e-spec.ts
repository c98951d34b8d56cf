import type { LoggerService } from '@nestjs/common';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { main as instrumentsCli } from '../../src/cli/instruments.cli';
import { WriteTransactions } from '../../src/database/write-transactions';
import { Instrument } from '../../src/instruments/entities/instrument.entity';
import { InstrumentList } from '../../src/instruments/entities/instrument-list.entity';
import { InstrumentStore } from '../../src/instruments/instrument.store';
import type { InstrumentInfo } from '../../src/instruments/instrument.types';
import { InstrumentsLoader } from '../../src/instruments/instruments.loader';
import { InstrumentsService } from '../../src/instruments/instruments.service';
import { instrumentListDay, minutesOfDay } from '../../src/instruments/list-day';
import { Order } from '../../src/orders/entities/order.entity';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { syntheticInstrumentsCsv } from '../helpers/instrument-store';
import { KiteProxy } from '../helpers/kite-proxy';
import { signedPostback } from '../helpers/postbacks';
import { createTestApp, tempDir, TestApp } from '../helpers/test-app';

/** Engine log lines, to read what a trader would see. */
class LogRecorder implements LoggerService {
  readonly lines: Array<{ level: string; text: string }> = [];
  /** Nest passes (message, context) or, from pino-style call sites, (fields, message, context). */
  private record(level: string, args: unknown[]) {
    this.lines.push({ level, text: String(typeof args[0] === 'string' ? args[0] : args[1]) });
  }
  log = (...args: unknown[]) => this.record('log', args);
  warn = (...args: unknown[]) => this.record('warn', args);
  error = (...args: unknown[]) => this.record('error', args);
  text = (level?: string) => this.lines.filter((l) => !level || l.level === level).map((l) => l.text);
}

/** A refresh time 12 hours from now (IST), so the list day cannot change while the tests run. */
function refreshAtFarFromNow(): string {
  const ist = new Date(Date.now() + 330 * 60_000 + 12 * 3_600_000);
  return `${String(ist.getUTCHours()).padStart(2, '0')}:${String(ist.getUTCMinutes()).padStart(2, '0')}`;
}

describe("instrument master: Kite's list through the real kiteconnect client into the SQLite store, once per trading day", () => {
  const tmp = tempDir();
  const REFRESH_AT = refreshAtFarFromNow();
  const due = instrumentListDay(new Date(), minutesOfDay(REFRESH_AT));
  const OLD_DAY = '2000-01-03';
  let sim: KiteSimulator;
  let proxy: KiteProxy;
  let env: Record<string, string>;
  let t: TestApp | undefined;
  let logs: LogRecorder;

  beforeAll(async () => {
    sim = await startSimulator();
    proxy = await new KiteProxy(sim.url).start();
    env = engineEnv(sim, tmp.dir, { KITE_ROOT_URL: proxy.url, INSTRUMENTS_REFRESH_AT: REFRESH_AT });
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    proxy.instrumentsFailure = null;
    proxy.instrumentsContentType = null;
    proxy.instrumentsBody = null;
  });
  afterAll(async () => {
    await proxy?.stop();
    await sim?.stop();
    tmp.cleanup();
  });

  /** The engine, started; resolves once its start-up check of the list has finished (loaded, failed or not needed). */
  async function startEngine(options: Parameters<typeof createTestApp>[1] = {}, extraEnv: Record<string, string> = {}): Promise<TestApp> {
    logs = new LogRecorder();
    t = await createTestApp({ ...env, ...extraEnv }, { listen: true, logger: logs, ...options });
    const loader = t.app.get(InstrumentsLoader);
    await eventually(async () => (await loader.status()).nextCheckAt !== null, 'the start-up check of the instrument list', 10_000);
    return t;
  }
  const http = () => request(t!.app.getHttpServer());
  const lookup = () => t!.app.get(InstrumentsService);
  const listed = () => sim.getInstruments();
  /** Pretend the stored list is an old day's (what the engine finds after a night, or a weekend). */
  const ageStoredList = (day = OLD_DAY) => t!.dataSource.getRepository(InstrumentList).update({ status: 'complete' }, { listDay: day });

  it("loads today's list at start into the store, and lookups answer from it", async () => {
    await startEngine();
    expect(proxy.instrumentRequests).toBe(1);
    const status = (await http().get('/instruments')).body;
    expect(status.list).toMatchObject({ listDay: due, rows: listed().length, current: true });
    expect(await t!.dataSource.getRepository(Instrument).count()).toBe(listed().length);

    const option = listed().find((r) => r.name === 'BANKNIFTY' && r.instrument_type === 'PE')!;
    expect(await lookup().find('NFO', option.tradingsymbol)).toEqual<InstrumentInfo>({
      exchange: 'NFO',
      tradingsymbol: option.tradingsymbol,
      instrumentToken: option.instrument_token,
      exchangeToken: option.exchange_token,
      name: 'BANKNIFTY',
      segment: 'NFO-OPT',
      instrumentType: 'PE',
      expiry: option.expiry,
      strike: option.strike,
      lotSize: 30,
      tickSize: 0.05,
      lastPrice: option.last_price,
    });
    expect(await lookup().findByToken(779521)).toMatchObject({ exchange: 'NSE', tradingsymbol: 'SBIN', lotSize: 1, expiry: null });
    expect(await lookup().lotSize('NFO', option.tradingsymbol)).toBe(30);

    const ready = await http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info.instruments).toMatchObject({ status: 'up', listDay: due, rows: listed().length, current: true, loading: false });
    expect(logs.text('log')).toEqual(
      expect.arrayContaining([
        'no instrument list stored yet',
        `loading the instrument list for ${due} from Kite (all exchanges; start)`,
        expect.stringMatching(
          new RegExp(`^instrument list for ${due} in use: ${listed().length} rows \\(NSE \\d+, NFO \\d+\\); fetched in \\d+\\.\\d s, stored in \\d+\\.\\d s$`),
        ),
      ]),
    );
  });

  it('does not load it again when the engine restarts the same day', async () => {
    await startEngine();
    expect(proxy.instrumentRequests).toBe(1);
    expect(logs.text('log')).toContainEqual(expect.stringMatching(new RegExp(`^instrument list in use: ${due}'s \\(${listed().length} rows, loaded `)));
    expect(await lookup().find('NSE', 'SBIN')).toMatchObject({ instrumentToken: 779521 });
    const answer = await http().post('/instruments/refresh');
    expect(answer.body).toEqual({ listDay: due, rows: listed().length, alreadyCurrent: true });
    expect(proxy.instrumentRequests).toBe(1);
  });

  it("reloads a stale list at start, and deletes the old day's rows once the new list is in use", async () => {
    await startEngine();
    await ageStoredList();
    await t!.close();
    await startEngine();
    expect(proxy.instrumentRequests).toBe(2);
    expect(logs.text('log')).toContainEqual(expect.stringMatching(new RegExp(`^instrument list in use: ${OLD_DAY}'s .*; ${due}'s is due$`)));
    expect(await lookup().listInUse()).toMatchObject({ listDay: due, current: true });
    expect(await t!.dataSource.getRepository(InstrumentList).find()).toEqual([expect.objectContaining({ listDay: due, status: 'complete' })]);
    expect(await t!.dataSource.getRepository(Instrument).count()).toBe(listed().length);
  });

  it("keeps yesterday's list when the load fails, says so in the log and in readiness, retries, and loads on demand once Kite answers", async () => {
    await startEngine();
    await ageStoredList();
    await t!.close();
    proxy.instrumentsFailure = { status: 503, errorType: 'NetworkException', message: 'Service Unavailable' };
    await startEngine();
    expect(proxy.instrumentRequests).toBe(3);

    const status = await t!.app.get(InstrumentsLoader).status();
    expect(status).toMatchObject({ list: { listDay: OLD_DAY, current: false }, due, lastFailure: { reason: expect.stringContaining('Service Unavailable') } });
    expect(status.nextCheckAt!.getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000); // a retry, not tomorrow's refresh
    expect(logs.text('warn')).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^could not load the instrument list for ${due}: .*Service Unavailable.*\\. STILL USING ${OLD_DAY}'s list \\(${listed().length} rows\\).*retrying every 5 min`,
        ),
      ),
    );
    // Lookups keep answering from the old list; readiness stays up (postbacks must flow) and says which list is used.
    expect(await lookup().find('NSE', 'SBIN')).toMatchObject({ instrumentToken: 779521 });
    const ready = await http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info.instruments).toMatchObject({ listDay: OLD_DAY, current: false, due, lastFailure: expect.stringContaining('Service Unavailable') });

    const refused = await http().post('/instruments/refresh');
    expect(refused.status).toBe(503);
    expect(refused.body.message).toMatch(/^could not load the instrument list: .*Service Unavailable.*; the previous list stays in use$/);
    expect(await lookup().listInUse()).toMatchObject({ listDay: OLD_DAY });

    proxy.instrumentsFailure = null;
    const loaded = await http().post('/instruments/refresh');
    expect(loaded.status).toBe(200);
    expect(loaded.body).toMatchObject({ listDay: due, rows: listed().length, trigger: 'demand', skipped: 0, duplicates: 0 });
    expect(await t!.app.get(InstrumentsLoader).status()).toMatchObject({ list: { listDay: due, current: true }, lastFailure: null });
  });

  it('loads at once after a login when the load failed for want of a valid token (as on a morning before the login)', async () => {
    await startEngine();
    await ageStoredList();
    await t!.close();
    sim.revokeAccessTokens(sim.options.accessToken); // yesterday's token: expired at 06:00
    try {
      await startEngine();
    } finally {
      sim.grantAccessToken(sim.options.accessToken); // the trader logs in …
    }
    const loader = t!.app.get(InstrumentsLoader);
    // Kite refuses yesterday's token: the load failed on it (or, once the session is known to be expired, is not even asked).
    expect(await loader.status()).toMatchObject({
      list: { listDay: OLD_DAY },
      lastFailure: { reason: expect.stringMatching(/TokenException|no valid Kite session/) },
    });
    const requests = proxy.instrumentRequests;
    // … and the day's login (the engine's own callback, with the state it issued): the list loads at once, no 5-minute wait.
    const login = await http().get('/kite/login').expect(302);
    const state = new URLSearchParams(new URL(login.headers.location).searchParams.get('redirect_params') ?? '').get('state')!;
    await http()
      .get(`/kite/login/callback?${new URLSearchParams({ status: 'success', request_token: sim.issueRequestToken(sim.options.userId), state })}`)
      .expect(200);
    const after = await eventually(async () => {
      const status = await loader.status();
      return !status.loading && status.list?.listDay === due && status;
    }, "today's list after the login");
    expect(after).toMatchObject({ list: { current: true }, lastFailure: null });
    expect(proxy.instrumentRequests).toBe(requests + 1);
  });

  it('loads the list whatever parameters its Content-Type carries (text/csv; charset=utf-8, on which kiteconnect 5.3.0 would not parse it)', async () => {
    await startEngine();
    const before = await lookup().find('NFO', listed()[10].tradingsymbol);
    proxy.instrumentsContentType = 'text/csv; charset=utf-8';
    const answer = await http().post('/instruments/refresh?force=true');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ listDay: due, rows: listed().length, skipped: 0 });
    expect(await t!.dataSource.getRepository(InstrumentList).count()).toBe(1); // the previous list was replaced
    expect(await lookup().find('NFO', listed()[10].tradingsymbol)).toEqual(before);
  });

  it('takes postbacks while a list is being stored: ingress never waits for the load, lookups use the old list until the new one is complete', async () => {
    await startEngine();
    await ageStoredList();
    await t!.close();
    proxy.instrumentsBody = syntheticInstrumentsCsv(5_000);
    // The real store, paused after its first batch of rows until the test lets it go on.
    let paused!: () => void;
    const reachedPause = new Promise<void>((resolve) => (paused = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    class PausingStore extends InstrumentStore {
      private batches = 0;
      override async insertBatch(listId: number, rows: readonly InstrumentInfo[]): Promise<void> {
        await super.insertBatch(listId, rows);
        if (++this.batches === 1) {
          paused();
          await gate;
        }
      }
    }
    logs = new LogRecorder();
    t = await createTestApp(env, {
      listen: true,
      logger: logs,
      override: (b) =>
        b
          .overrideProvider(InstrumentStore)
          .useFactory({ inject: [DataSource, WriteTransactions], factory: (ds: DataSource, writes: WriteTransactions) => new PausingStore(ds, writes) }),
    });
    await reachedPause;

    const postback = signedPostback({ order_id: '990000000000001', status: 'COMPLETE', tradingsymbol: 'SBIN' });
    const ack = await http().post('/kite/postback').type('form').send(JSON.stringify(postback));
    expect(ack.status).toBe(200);
    await t.settle();
    expect(await t.dataSource.getRepository(Order).findOneBy({ orderId: '990000000000001' })).toMatchObject({ status: 'COMPLETE' });
    expect(await t.dataSource.getRepository(InstrumentList).findOneBy({ status: 'loading' })).toMatchObject({ listDay: due });
    expect(await lookup().listInUse()).toMatchObject({ listDay: OLD_DAY, rows: listed().length });
    expect(await lookup().find('NFO', 'BIG099JAN100CE')).toBeNull();
    expect((await http().get('/health/ready')).body.info.instruments).toMatchObject({ listDay: OLD_DAY, loading: true });

    release();
    await eventually(async () => (await lookup().listInUse())?.listDay === due, 'the new list in use');
    expect(await lookup().listInUse()).toMatchObject({ rows: 5_000 });
    expect(await lookup().find('NFO', 'BIG099JAN100CE')).toMatchObject({ lotSize: 25, strike: 100, expiry: '2099-01-27', name: 'BIG0' });
    expect(await lookup().find('NSE', 'SBIN')).toBeNull();
  });

  it('lets the event loop turn between two batches of rows (better-sqlite3 answers synchronously: without a turn no socket is read until the list is stored)', async () => {
    await startEngine();
    await t!.close();
    proxy.instrumentsBody = syntheticInstrumentsCsv(2_000);
    const order: string[] = [];
    class RecordingStore extends InstrumentStore {
      private batches = 0;
      override async insertBatch(listId: number, rows: readonly InstrumentInfo[]): Promise<void> {
        const batch = ++this.batches;
        order.push(`batch ${batch}`);
        await super.insertBatch(listId, rows);
        if (batch === 1) setImmediate(() => order.push('event loop turn'));
      }
    }
    logs = new LogRecorder();
    t = await createTestApp(env, {
      listen: true,
      logger: logs,
      override: (b) =>
        b
          .overrideProvider(InstrumentStore)
          .useFactory({ inject: [DataSource, WriteTransactions], factory: (ds: DataSource, writes: WriteTransactions) => new RecordingStore(ds, writes) }),
    });
    const loaded = await http().post('/instruments/refresh?force=true');
    expect(loaded.body).toMatchObject({ rows: 2_000 });
    expect(order.slice(0, 3)).toEqual(['batch 1', 'event loop turn', 'batch 2']);
    expect(order.filter((step) => step.startsWith('batch'))).toHaveLength(2_000 / 250);
  });

  it('loads only the exchanges in INSTRUMENTS_EXCHANGES, one request each', async () => {
    await startEngine();
    await ageStoredList();
    await t!.close();
    const seen = proxy.instrumentPaths.length;
    await startEngine({}, { INSTRUMENTS_EXCHANGES: 'nfo' });
    expect(proxy.instrumentPaths.slice(seen).map((path) => path.split('?')[0])).toEqual(['/instruments/NFO']); // kiteconnect adds ?exchange=NFO
    const nfo = listed().filter((r) => r.exchange === 'NFO');
    expect(await lookup().listInUse()).toMatchObject({ listDay: due, rows: nfo.length });
    expect(await lookup().find('NSE', 'SBIN')).toBeNull();
    expect(await t!.dataSource.getRepository(InstrumentList).findOneByOrFail({ status: 'complete' })).toMatchObject({ exchanges: 'NFO', trigger: 'start' });
  });

  describe('npm run instruments', () => {
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const errors: string[] = [];
      const code = await instrumentsCli(
        ['node', 'instruments', ...args, '--db', env.DATABASE_PATH],
        (line) => out.push(line),
        (line) => errors.push(line),
      );
      return { code, out: out.join('\n'), ...(errors.length ? { error: errors.join('\n') } : {}) };
    };

    it('status and refresh go through the running engine; find reads the trade-log file', async () => {
      await startEngine();
      const url = `--url=${(await t!.app.getUrl()).replace('[::1]', '127.0.0.1')}`;
      const forced = await run('refresh', '--force', url);
      expect(forced.code).toBe(0);
      expect(forced.out).toMatch(new RegExp(`loaded ${due}'s list: ${listed().length} rows \\(NSE \\d+, NFO \\d+\\); fetched in \\d+ ms, stored in \\d+ ms`));
      expect(await run('refresh', url)).toEqual({
        code: 0,
        out: `asking the engine to load the instrument list…\n${due}'s list is already in use (${listed().length} rows); --force loads it again`,
      });
      expect(await run('status', url)).toMatchObject({
        code: 0,
        out: expect.stringMatching(new RegExp(`^in use: ${due}'s list, ${listed().length} rows, loaded .*\\nnext check: `)),
      });

      const call = listed().find((r) => r.name === 'NIFTY' && r.instrument_type === 'CE' && r.strike === 26_000)!;
      const byKey = await run('find', `NFO:${call.tradingsymbol}`);
      expect(byKey.code).toBe(0);
      expect(byKey.out).toContain(`NFO:${call.tradingsymbol}`);
      expect(byKey.out).toMatch(/│ CE\s+│ \d{4}-\d{2}-\d{2} │\s+26000 │\s+65 │\s+0\.05 │ NFO-OPT/);
      const nearest = await run('find', 'nifty', '--expiry', call.expiry, '--type', 'ce', '--strike', '26020', '--nearest');
      expect(nearest.out).toContain(`NFO:${call.tradingsymbol}`);
      expect((await run('find', '779521')).out).toContain('NSE:SBIN');
      expect(await run('find', 'NFO:NOSUCH')).toEqual({ code: 0, out: 'nothing listed for NFO:NOSUCH' });
      expect(await run('find', 'NIFTY', '--type', 'XX')).toEqual({ code: 1, out: '', error: 'instruments: --type must be CE or PE, got "XX"' });
      await t!.close();
      t = undefined;
      expect(await run('status', url)).toMatchObject({
        code: 0,
        out: expect.stringMatching(new RegExp(`engine not running\\): ${due}'s list, ${listed().length} rows`)),
      });
      expect(await run('refresh', url)).toMatchObject({
        code: 1,
        error: expect.stringMatching(/^instruments: no engine answering at http:\/\/127\.0\.0\.1:\d+: start it/),
      });
    });
  });
});
