import { ConfigValidationError, loadLegworkConfig, PAPER_API_SECRET } from './legwork.config';

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

  it('requires the api key and secret in live mode, and never echoes the secret', () => {
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
