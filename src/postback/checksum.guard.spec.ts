import { ExecutionContext, ForbiddenException, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { postbackChecksum, postbackChecksumUserIdVariant } from '../common/kite-checksum';
import { loadLegworkConfig } from '../config/legwork.config';
import { PostbackChecksumGuard } from './checksum.guard';
import { parsePostback } from './postback.parser';
import sample from '../../test/fixtures/kite-postback.json';

const SECRET = '0hdv7iw5examplesecret';

function guardWith(env: Record<string, string>) {
  return new PostbackChecksumGuard(new ConfigService(loadLegworkConfig({ KITE_API_SECRET: SECRET, ...env })));
}
function contextFor(body: object): ExecutionContext {
  const req = { postback: parsePostback(Buffer.from(JSON.stringify(body))), ip: '127.0.0.1' };
  return { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
}

describe('PostbackChecksumGuard', () => {
  it("accepts Kite's documented sample (known-good checksum)", () => {
    expect(postbackChecksum(sample.order_id, sample.order_timestamp, SECRET)).toBe(sample.checksum);
    expect(guardWith({}).canActivate(contextFor(sample))).toBe(true);
  });

  it('accepts an upper-case hex checksum', () => {
    expect(guardWith({}).canActivate(contextFor({ ...sample, checksum: sample.checksum.toUpperCase() }))).toBe(true);
  });

  it('rejects a checksum over a re-formatted timestamp (the string as received is what counts)', () => {
    const checksum = postbackChecksum(sample.order_id, '2022-03-03T09:24:25', SECRET);
    expect(() => guardWith({}).canActivate(contextFor({ ...sample, checksum }))).toThrow(ForbiddenException);
  });

  it('rejects a truncated checksum', () => {
    expect(() => guardWith({}).canActivate(contextFor({ ...sample, checksum: sample.checksum.slice(0, 32) }))).toThrow(ForbiddenException);
  });

  it('rejects the order_id + user_id variant by default and accepts it only behind the switch', () => {
    const checksum = postbackChecksumUserIdVariant(sample.order_id, sample.user_id, SECRET);
    expect(() => guardWith({}).canActivate(contextFor({ ...sample, checksum }))).toThrow(ForbiddenException);
    expect(guardWith({ KITE_CHECKSUM_ALLOW_USER_ID_VARIANT: 'true' }).canActivate(contextFor({ ...sample, checksum }))).toBe(true);
  });
});

describe('PostbackChecksumGuard: what it refuses, and what it logs', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  function refusal(guard: PostbackChecksumGuard, context: ExecutionContext): ForbiddenException {
    try {
      guard.canActivate(context);
    } catch (error) {
      if (error instanceof ForbiddenException) return error;
      throw error;
    }
    throw new Error('the postback was accepted');
  }
  const { checksum: _dropped, ...unsigned } = sample;

  it.each([
    ['missing', unsigned],
    ['empty', { ...sample, checksum: '' }],
    ['not a string', { ...sample, checksum: 12345 }],
  ])('refuses a postback whose checksum is %s: 403 "no checksum"', (_what, body) => {
    expect(refusal(guardWith({}), contextFor(body)).message).toBe('postback rejected: no checksum');
  });

  it('refuses a mismatch with 403 and logs the reason, the order id and the sender', () => {
    const error = refusal(guardWith({}), contextFor({ ...sample, checksum: 'f'.repeat(64) }));
    expect(error.message).toBe('postback rejected: checksum mismatch');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(
      { orderId: sample.order_id, reason: 'checksum mismatch' },
      `rejected postback (403): checksum mismatch [order ${sample.order_id}] from 127.0.0.1`,
    );
    expect(warn.mock.contexts[0]).toMatchObject({ context: 'PostbackIngress' });
  });

  it('refuses a request that never went through the parser', () => {
    const bare = { switchToHttp: () => ({ getRequest: () => ({ ip: '127.0.0.1' }) }) } as unknown as ExecutionContext;
    expect(refusal(guardWith({}), bare).message).toBe('postback not verified');
  });

  it('checks against the configured secret, not any other', () => {
    expect(refusal(guardWith({ KITE_API_SECRET: 'another-secret-123' }), contextFor(sample)).message).toBe('postback rejected: checksum mismatch');
  });

  it('with the user_id variant on, accepts it only for a user_id sent as a string', () => {
    const guard = guardWith({ KITE_CHECKSUM_ALLOW_USER_ID_VARIANT: 'true' });
    const checksum = postbackChecksumUserIdVariant(sample.order_id, '12345', SECRET);
    expect(guard.canActivate(contextFor({ ...sample, user_id: '12345', checksum }))).toBe(true);
    expect(refusal(guard, contextFor({ ...sample, user_id: 12345, checksum })).message).toBe('postback rejected: checksum mismatch');
  });
});
