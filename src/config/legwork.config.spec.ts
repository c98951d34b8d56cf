import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BAD_SECRETS, leakedPieces } from '../../test/helpers/secrets';
import { ConfigValidationError, loadLegworkConfig, PAPER_API_SECRET } from './legwork.config';

function configError(env: Record<string, string>): ConfigValidationError {
  try {
    loadLegworkConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error;
    throw error;
  }
  throw new Error(`configuration ${Object.keys(env).join(', ')} was accepted`);
}

describe('loadLegworkConfig', () => {
  it('starts in paper mode with safe defaults when nothing is set', () => {
    const config = loadLegworkConfig({});
    expect(config.mode).toBe('paper');
    expect(config.http).toEqual({ port: 3000, host: '127.0.0.1' });
    expect(config.postback).toEqual({ path: '/kite/postback', bodyLimit: '64kb', allowUserIdChecksumVariant: false });
    expect(config.kite.apiSecret).toBe(PAPER_API_SECRET);
    expect(config.database.path).toMatch(/data[/\\]legwork\.sqlite$/);
    expect(config.database.synchronous).toBe('FULL');
  });

  it('reads market holidays from MARKET_HOLIDAYS and MARKET_HOLIDAYS_FILE (NSE’s list pasted with its names), merged and sorted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'legwork-holidays-'));
    try {
      const file = join(dir, 'holidays.txt');
      writeFileSync(file, '# NSE trading holidays 2026\n2026-12-25 Christmas\n\n2026-01-26, Republic Day\n');
      expect(loadLegworkConfig({ MARKET_HOLIDAYS: '2026-11-09,2026-12-25', MARKET_HOLIDAYS_FILE: file }).market.holidays).toEqual([
        '2026-01-26',
        '2026-11-09',
        '2026-12-25',
      ]);
      writeFileSync(file, '2026-02-30 not a day\n');
      expect(configError({ MARKET_HOLIDAYS_FILE: file }).problems).toEqual([
        `MARKET_HOLIDAYS_FILE line 1 does not start with a date (yyyy-mm-dd): "2026-02-30 not a day"`,
      ]);
      expect(configError({ MARKET_HOLIDAYS_FILE: join(dir, 'missing.txt') }).problems[0]).toMatch(/MARKET_HOLIDAYS_FILE .*missing\.txt cannot be read: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(configError({ MARKET_HOLIDAYS: '25-12-2026' }).problems[0]).toMatch(/^MARKET_HOLIDAYS must be comma-separated dates as yyyy-mm-dd/);
  });

  it('validates SQUARE_OFF_AT and ALGO_ID', () => {
    expect(loadLegworkConfig({ SQUARE_OFF_AT: '15:15', ALGO_ID: 'NSE-ALGO_42' })).toMatchObject({
      squareOff: { at: '15:15' },
      kite: { algoId: 'NSE-ALGO_42' },
    });
    expect(configError({ SQUARE_OFF_AT: '3:15pm' }).problems[0]).toMatch(/SQUARE_OFF_AT must be an IST time of day as HH:MM/);
    expect(configError({ ALGO_ID: 'algo id;drop' }).problems[0]).toMatch(/ALGO_ID must be 1 to 32 letters, digits, - or _/);
  });

  it('turns typed values into numbers and booleans', () => {
    const config = loadLegworkConfig({ PORT: '8080', KITE_CHECKSUM_ALLOW_USER_ID_VARIANT: 'true', STRATEGIES: 'a, b' });
    expect(config.http.port).toBe(8080);
    expect(config.postback.allowUserIdChecksumVariant).toBe(true);
    expect(config.strategies.enabled).toEqual(['a', 'b']);
  });

  it.each([
    ['PORT', 'eighty', /PORT/],
    ['PORT', '70000', /PORT/],
    ['POSTBACK_PATH', 'kite/postback', /POSTBACK_PATH/],
    ['POSTBACK_BODY_LIMIT', 'lots', /POSTBACK_BODY_LIMIT/],
    ['KITE_CHECKSUM_ALLOW_USER_ID_VARIANT', 'maybe', /KITE_CHECKSUM_ALLOW_USER_ID_VARIANT/],
    ['LEGWORK_MODE', 'demo', /LEGWORK_MODE/],
    ['KITE_API_SECRET', 'short', /KITE_API_SECRET/],
    ['DATABASE_SYNCHRONOUS', 'OFF', /DATABASE_SYNCHRONOUS/],
  ])('stops start-up naming %s when it is %s', (name, value, pattern) => {
    expect(() => loadLegworkConfig({ [name]: value })).toThrow(ConfigValidationError);
    expect(() => loadLegworkConfig({ [name]: value })).toThrow(pattern);
  });

  it('requires the api key and secret in live mode', () => {
    let error: unknown;
    try {
      loadLegworkConfig({ LEGWORK_MODE: 'live', KITE_ACCESS_TOKEN: 'tok' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as Error).message).toMatch(/KITE_API_KEY is required/);
    expect((error as Error).message).toMatch(/KITE_API_SECRET is required/);
  });

  // Each secret-bearing variable with a value that breaks its rule: the error names the variable and the rule, and the
  // value (or any long piece of it) appears nowhere in it.
  it.each(BAD_SECRETS)('never echoes %s when it is malformed: names the variable and the rule only', (name, value, rule) => {
    const error = configError({ [name]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain(name);
    expect(error.problems[0]).toMatch(rule);
    expect(leakedPieces(error.message, value)).toEqual([]);
    expect(leakedPieces(JSON.stringify({ ...error, stack: error.stack }), value)).toEqual([]);
  });

  it('never echoes any secret when several are malformed at once, and still echoes what is not secret', () => {
    const error = configError({ ...Object.fromEntries(BAD_SECRETS.map(([name, value]) => [name, value])), PORT: 'eighty' });
    for (const [name, value] of BAD_SECRETS) {
      expect(error.message).toContain(name);
      expect(leakedPieces(error.message, value)).toEqual([]);
    }
    expect(error.message).toContain('"eighty"'); // a port is not a secret: showing it helps
  });

  // ws and fetch quote the whole URL when they cannot parse it, and the engine appends the access token (order stream)
  // or the bot token (Telegram) to these: a URL they would refuse must be refused here, before a token is added.
  it.each([
    ['KITE_WS_URL', 'ws://[::1'],
    ['NOTIFY_TELEGRAM_API_URL', 'http://[::1'],
    ['KITE_ROOT_URL', 'http:api.kite.trade'],
  ])('refuses %s=%s, a URL the HTTP or WebSocket client could not parse', (name, value) => {
    expect(configError({ [name]: value }).problems).toEqual([expect.stringMatching(new RegExp(`^${name} must be an? (http|ws)\\(s\\) URL`))]);
  });

  it('chooses live mode when credentials are present, with the real Kite root', () => {
    const config = loadLegworkConfig({ KITE_API_KEY: 'key', KITE_ACCESS_TOKEN: 'tok', KITE_API_SECRET: 'secret-123456' });
    expect(config.mode).toBe('live');
    expect(config.kite.rootUrl).toBe('https://api.kite.trade');
  });

  it('refuses a RAILS_TOKEN equal to TRADE_LOG_TOKEN (the read-only token must not stop or re-arm trading), without echoing it', () => {
    const token = 'same-token-for-both-0123';
    expect(() => loadLegworkConfig({ RAILS_TOKEN: token, TRADE_LOG_TOKEN: token })).toThrow(
      new ConfigValidationError(['RAILS_TOKEN must differ from TRADE_LOG_TOKEN: whoever may read trades must not be able to stop or re-arm trading']),
    );
    expect(loadLegworkConfig({ RAILS_TOKEN: `${token}-rails`, TRADE_LOG_TOKEN: token }).rails.token).toBe(`${token}-rails`);
  });
});
