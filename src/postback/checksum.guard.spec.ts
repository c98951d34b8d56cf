import { ExecutionContext, ForbiddenException } from '@nestjs/common';
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
