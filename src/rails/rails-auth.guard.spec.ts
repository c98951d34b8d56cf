import { decideRailsAccess } from './rails-auth.guard';

describe('who may use /rails (kill switch over HTTP)', () => {
  const TOKEN = 'rails-token-0123456789';
  const ask = (over: Partial<Parameters<typeof decideRailsAccess>[0]>) =>
    decideRailsAccess({ token: undefined, host: '127.0.0.1', authorization: undefined, proxied: false, hostHeader: '127.0.0.1:3000', ...over });

  it('with RAILS_TOKEN set, only a request bearing it, on any host', () => {
    expect(ask({ token: TOKEN, authorization: `Bearer ${TOKEN}`, host: '0.0.0.0' })).toEqual({ allowed: true });
    expect(ask({ token: TOKEN })).toMatchObject({ allowed: false, status: 401, message: expect.stringMatching(/Bearer <RAILS_TOKEN>/) });
    expect(ask({ token: TOKEN, authorization: 'Bearer not-the-token-at-all' })).toMatchObject({ allowed: false, status: 401, message: 'wrong rails token' });
  });

  it('without a token: open on loopback, closed beyond it and through a proxy', () => {
    expect(ask({})).toEqual({ allowed: true });
    expect(ask({ host: '::1' })).toEqual({ allowed: true });
    expect(ask({ host: '0.0.0.0' })).toMatchObject({ allowed: false, status: 403, message: expect.stringMatching(/RAILS_TOKEN is not set/) });
    expect(ask({ proxied: true })).toMatchObject({ allowed: false, status: 403 });
  });

  it('without a token, refuses a request whose Host header names another machine (DNS rebinding)', () => {
    expect(ask({ hostHeader: 'localhost:3000' })).toEqual({ allowed: true });
    expect(ask({ hostHeader: 'evil.example' })).toMatchObject({ allowed: false, status: 403, message: expect.stringMatching(/Host/) });
    expect(ask({ hostHeader: undefined })).toMatchObject({ allowed: false, status: 403 });
    expect(ask({ token: TOKEN, authorization: `Bearer ${TOKEN}`, hostHeader: 'evil.example' })).toEqual({ allowed: true });
  });
});
