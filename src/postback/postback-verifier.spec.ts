import { ConfigService } from '@nestjs/config';
import { postbackChecksum, postbackChecksumUserIdVariant } from '../common/kite-checksum';
import { loadLegworkConfig } from '../config/legwork.config';
import { PostbackVerifier } from './postback-verifier';
import { parsePostback } from './postback.parser';
import sample from '../../test/fixtures/kite-postback.json';

const SECRET = '0hdv7iw5examplesecret';

function verifierWith(env: Record<string, string>) {
  return new PostbackVerifier(new ConfigService(loadLegworkConfig({ KITE_API_SECRET: SECRET, ...env })));
}
const parsed = (body: object) => parsePostback(Buffer.from(JSON.stringify(body)));

describe('PostbackVerifier', () => {
  it("accepts Kite's documented sample (known-good checksum)", () => {
    expect(postbackChecksum(sample.order_id, sample.order_timestamp, SECRET)).toBe(sample.checksum);
    expect(verifierWith({}).rejection(parsed(sample))).toBeNull();
  });

  it('accepts an upper-case hex checksum', () => {
    expect(verifierWith({}).rejection(parsed({ ...sample, checksum: sample.checksum.toUpperCase() }))).toBeNull();
  });

  it('rejects a checksum over a re-formatted timestamp (the string as received is what counts)', () => {
    const checksum = postbackChecksum(sample.order_id, '2022-03-03T09:24:25', SECRET);
    expect(verifierWith({}).rejection(parsed({ ...sample, checksum }))).toBe('checksum mismatch');
  });

  it('rejects a truncated checksum, and a missing one', () => {
    expect(verifierWith({}).rejection(parsed({ ...sample, checksum: sample.checksum.slice(0, 32) }))).toBe('checksum mismatch');
    expect(verifierWith({}).rejection(parsed({ ...sample, checksum: undefined }))).toBe('no checksum');
  });

  it('rejects the order_id + user_id variant by default and accepts it only behind the switch', () => {
    const checksum = postbackChecksumUserIdVariant(sample.order_id, sample.user_id, SECRET);
    expect(verifierWith({}).rejection(parsed({ ...sample, checksum }))).toBe('checksum mismatch');
    expect(verifierWith({ KITE_CHECKSUM_ALLOW_USER_ID_VARIANT: 'true' }).rejection(parsed({ ...sample, checksum }))).toBeNull();
  });
});
