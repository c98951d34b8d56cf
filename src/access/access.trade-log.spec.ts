import { AccessRequest, decideAccess } from './access';
import { TRADE_LOG_ACCESS } from './access-areas';

const decideTradeLogAccess = (request: AccessRequest) => decideAccess(TRADE_LOG_ACCESS, request);

const TOKEN = 'review-token-0123456789';
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const request = (overrides: Partial<AccessRequest>): AccessRequest => ({
  token: undefined,
  host: '127.0.0.1',
  authorization: undefined,
  queryToken: undefined,
  proxied: false,
  hostHeader: '127.0.0.1:3000',
  ...overrides,
});

describe('decideAccess in the trade-log area', () => {
  it('is open on loopback without a token', () => {
    expect(decideTradeLogAccess(request({}))).toEqual({ allowed: true });
  });

  it('is closed (403, naming TRADE_LOG_TOKEN) beyond loopback without a token', () => {
    const decision = decideTradeLogAccess(request({ host: '0.0.0.0', authorization: `Bearer ${TOKEN}` }));
    expect(decision).toMatchObject({ allowed: false, status: 403 });
    expect(decision.allowed || decision.message).toContain('TRADE_LOG_TOKEN');
    expect(decision.allowed || decision.message).toContain('0.0.0.0');
  });

  it('without a token, is open only to requests that name this machine in their Host header (DNS rebinding)', () => {
    for (const hostHeader of ['localhost:3000', '127.0.0.1', '[::1]:3000', 'LOCALHOST']) {
      expect(decideTradeLogAccess(request({ hostHeader }))).toEqual({ allowed: true });
    }
    for (const hostHeader of ['evil.example', 'evil.example:3000', '192.168.1.20:3000', '', undefined]) {
      const decision = decideTradeLogAccess(request({ hostHeader }));
      expect(decision).toMatchObject({ allowed: false, status: 403, message: expect.stringMatching(/Host/) });
    }
    // A token is proof enough, whatever name the request used.
    expect(decideTradeLogAccess(request({ token: TOKEN, authorization: `Bearer ${TOKEN}`, hostHeader: 'trades.example.com' }))).toEqual({ allowed: true });
  });

  it('is closed to proxied requests on loopback without a token', () => {
    expect(decideTradeLogAccess(request({ proxied: true }))).toMatchObject({ allowed: false, status: 403 });
  });

  describe('with a token, on any host', () => {
    it.each(['127.0.0.1', '0.0.0.0'])('accepts Bearer, basic-auth password and ?token= (host %s)', (host) => {
      expect(decideTradeLogAccess(request({ host, token: TOKEN, authorization: `Bearer ${TOKEN}` }))).toEqual({ allowed: true });
      expect(decideTradeLogAccess(request({ host, token: TOKEN, authorization: `bearer   ${TOKEN}` }))).toEqual({ allowed: true });
      expect(decideTradeLogAccess(request({ host, token: TOKEN, authorization: basic('anyone', TOKEN) }))).toEqual({ allowed: true });
      expect(decideTradeLogAccess(request({ host, token: TOKEN, queryToken: TOKEN }))).toEqual({ allowed: true });
      expect(decideTradeLogAccess(request({ host, token: TOKEN, queryToken: TOKEN, proxied: true }))).toEqual({ allowed: true });
    });

    it('answers 401 without a token, saying how to send one', () => {
      const decision = decideTradeLogAccess(request({ token: TOKEN }));
      expect(decision).toMatchObject({ allowed: false, status: 401 });
      expect(decision.allowed || decision.message).toContain('Authorization: Bearer');
    });

    it('answers 401 to a wrong token, whatever the scheme', () => {
      for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, basic(TOKEN, 'nope'), 'Token abc', `Basic ${TOKEN}`]) {
        expect(decideTradeLogAccess(request({ token: TOKEN, authorization }))).toMatchObject({ allowed: false, status: 401 });
      }
      expect(decideTradeLogAccess(request({ token: TOKEN, queryToken: 'wrong' }))).toMatchObject({ allowed: false, status: 401 });
    });

    it('does not fall back to an open loopback when a token is configured', () => {
      expect(decideTradeLogAccess(request({ token: TOKEN, host: 'localhost' }))).toMatchObject({ allowed: false, status: 401 });
    });
  });
});
