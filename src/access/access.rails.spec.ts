import { Controller, ExecutionContext, ForbiddenException, Logger, Post, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { loadLegworkConfig } from '../config/legwork.config';
import { AccessRequest, decideAccess } from './access';
import { RAILS_ACCESS } from './access-areas';
import { AccessGuard, Protected } from './access.guard';
import { AccessStartupWarnings } from './access.module';

const ask = (over: Partial<AccessRequest>) =>
  decideAccess(RAILS_ACCESS, {
    token: undefined,
    host: '127.0.0.1',
    authorization: undefined,
    queryToken: undefined,
    proxied: false,
    hostHeader: '127.0.0.1:3000',
    ...over,
  });

@Protected(RAILS_ACCESS)
@Controller('rails')
class GuardedController {
  @Post('kill-switch')
  trip(): void {}
}

@Controller('open')
class UnmarkedController {
  @Post()
  act(): void {}
}

describe('who may use /rails (kill switch over HTTP)', () => {
  const TOKEN = 'rails-token-0123456789';

  it('with RAILS_TOKEN set, only a request bearing it, on any host', () => {
    expect(ask({ token: TOKEN, authorization: `Bearer ${TOKEN}`, host: '0.0.0.0' })).toEqual({ allowed: true });
    expect(ask({ token: TOKEN })).toMatchObject({ allowed: false, status: 401, message: expect.stringMatching(/Bearer <RAILS_TOKEN>/) });
    expect(ask({ token: TOKEN, authorization: 'Bearer not-the-token-at-all' })).toMatchObject({ allowed: false, status: 401, message: 'wrong rails token' });
  });

  it('without a token: open on loopback, closed beyond it and through a proxy', () => {
    expect(ask({})).toEqual({ allowed: true });
    expect(ask({ host: '::1' })).toEqual({ allowed: true });
    expect(ask({ host: '0.0.0.0' })).toMatchObject({ allowed: false, status: 403, message: expect.stringMatching(/RAILS_TOKEN is not set/) });
    expect(ask({ proxied: true })).toEqual({
      allowed: false,
      status: 403,
      message: 'the rails endpoints are off for proxied requests while RAILS_TOKEN is not set',
    });
  });

  it('reads the token only from a Bearer header that is exactly that (surrounding spaces aside)', () => {
    expect(ask({ token: TOKEN, authorization: `  bearer   ${TOKEN}  ` })).toEqual({ allowed: true });
    expect(ask({ token: TOKEN, authorization: `NotBearer ${TOKEN}` })).toMatchObject({ allowed: false, status: 401 });
    expect(ask({ token: TOKEN, authorization: `Bearer ${TOKEN}\nX-Other: 1` })).toMatchObject({ allowed: false, status: 401 });
    expect(ask({ token: TOKEN, authorization: `Basic ${TOKEN}` })).toMatchObject({
      allowed: false,
      status: 401,
      message: expect.stringMatching(/Bearer <RAILS_TOKEN>/),
    });
    expect(ask({ token: TOKEN, authorization: `Bearer ${TOKEN}x` })).toMatchObject({ allowed: false, status: 401, message: 'wrong rails token' });
  });

  it('with RAILS_TOKEN set, a proxied request bearing it is allowed (the token is the proof)', () => {
    expect(ask({ token: TOKEN, authorization: `Bearer ${TOKEN}`, proxied: true })).toEqual({ allowed: true });
  });
});

describe('AccessGuard over a @Protected(RAILS_ACCESS) controller', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  const guardWith = (env: Record<string, string>) => new AccessGuard(new ConfigService(loadLegworkConfig(env)), new Reflector());
  const warningsWith = (env: Record<string, string>) => new AccessStartupWarnings(new ConfigService(loadLegworkConfig(env)));
  const request = (extra: Record<string, string> = {}, headers = { host: '127.0.0.1:3000', ...extra }, controller: new () => object = GuardedController) =>
    ({
      getClass: () => controller,
      getHandler: () => Object.values(Object.getOwnPropertyDescriptors(controller.prototype)).find((d) => d.value !== controller)!.value,
      switchToHttp: () => ({ getRequest: () => ({ headers, query: {}, method: 'POST', path: '/rails/kill-switch', ip: '10.1.2.3' }) }),
    }) as unknown as ExecutionContext;
  const TOKEN = 'rails-token-0123456789';

  it('lets through what decideAccess allows, with the configured token and host', () => {
    expect(guardWith({}).canActivate(request())).toBe(true);
    expect(guardWith({ RAILS_TOKEN: TOKEN, HOST: '0.0.0.0' }).canActivate(request({ authorization: `Bearer ${TOKEN}` }))).toBe(true);
    expect(warn).not.toHaveBeenCalled();
  });

  it('answers 401 for a missing or wrong token and 403 for a closed endpoint, logging who was refused', () => {
    const refusal = (guard: AccessGuard, context: ExecutionContext) => {
      try {
        guard.canActivate(context);
      } catch (error) {
        return error;
      }
      throw new Error('allowed');
    };
    const wrongToken = refusal(guardWith({ RAILS_TOKEN: TOKEN }), request({ authorization: 'Bearer nope-nope-nope' }));
    expect(wrongToken).toBeInstanceOf(UnauthorizedException);
    expect(wrongToken).toMatchObject({ message: 'wrong rails token' });
    expect(refusal(guardWith({ HOST: '0.0.0.0' }), request())).toBeInstanceOf(ForbiddenException);
    expect(refusal(guardWith({}), request({ 'x-forwarded-for': '203.0.113.9' }))).toBeInstanceOf(ForbiddenException);
    expect(warn.mock.calls.map((call) => call[0])).toEqual([
      'rails: 401 for POST /rails/kill-switch from 10.1.2.3',
      'rails: 403 for POST /rails/kill-switch from 10.1.2.3',
      'rails: 403 for POST /rails/kill-switch from 10.1.2.3',
    ]);
  });

  it('warns at start when the endpoints are off (beyond loopback, no token), and only then', () => {
    warningsWith({ TRADE_LOG_TOKEN: 'review-token-0123456789' }).onModuleInit();
    warningsWith({ RAILS_TOKEN: TOKEN, TRADE_LOG_TOKEN: 'review-token-0123456789', HOST: '0.0.0.0' }).onModuleInit();
    expect(warn).not.toHaveBeenCalled();
    warningsWith({ HOST: '0.0.0.0', TRADE_LOG_TOKEN: 'review-token-0123456789' }).onModuleInit();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toBe('rails endpoints (kill switch over HTTP) are OFF (403): HOST=0.0.0.0 is beyond loopback and RAILS_TOKEN is not set');
    expect(warn.mock.contexts[0]).toMatchObject({ context: 'Rails' });
  });

  it('refuses to guard a route that names no area (a missing @Protected is a bug, not an open door)', () => {
    expect(() => guardWith({}).canActivate(request({}, undefined, UnmarkedController))).toThrow(/without @Protected\(area\)/);
  });

  it('without a token, refuses a request whose Host header names another machine (DNS rebinding)', () => {
    expect(ask({ hostHeader: 'localhost:3000' })).toEqual({ allowed: true });
    // The refusal tells the operator what to do: use a loopback name, or set RAILS_TOKEN.
    expect(ask({ hostHeader: 'evil.example' })).toMatchObject({
      allowed: false,
      status: 403,
      message: expect.stringMatching(
        /^rails endpoints refused: the Host header \("evil\.example"\) does not name this machine, and without RAILS_TOKEN .*set RAILS_TOKEN$/,
      ),
    });
    expect(ask({ hostHeader: undefined })).toMatchObject({ allowed: false, status: 403 });
    expect(ask({ token: TOKEN, authorization: `Bearer ${TOKEN}`, hostHeader: 'evil.example' })).toEqual({ allowed: true });
  });
});
