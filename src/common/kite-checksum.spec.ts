import sample from '../../test/fixtures/kite-postback.json';
import { hexDigestsEqual, postbackChecksum, postbackChecksumUserIdVariant, sessionChecksum, sha256Hex } from './kite-checksum';

// Expected digests are fixed vectors (from Kite's sample, or `printf '%s' … | sha256sum`), never recomputed here
// with the code under test.
const SECRET = '0hdv7iw5examplesecret';

describe('Kite checksums', () => {
  it("postback: sha256_hex(order_id + order_timestamp + api_secret) gives Kite's sample checksum", () => {
    expect(postbackChecksum(sample.order_id, sample.order_timestamp, SECRET)).toBe(sample.checksum);
  });

  it('postback, user_id variant: sha256_hex(order_id + user_id + api_secret)', () => {
    expect(postbackChecksumUserIdVariant(sample.order_id, sample.user_id, SECRET)).toBe('b7a1c04b1f44bde8982637b77d948f4f78390fdac59033951dbf620478c7f34a');
  });

  it('session token exchange: sha256_hex(api_key + request_token + api_secret)', () => {
    expect(sessionChecksum('kitefront', '7Zq2Xw9Rb4Lm', SECRET)).toBe('44320c7354c22962ef7726fe605105ece66765b203eea13f5474c43a666ae49f');
  });

  it('hashes the UTF-8 bytes of the string, as lower-case hex', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('Ünïcode ₹')).toBe('fa0e0fc17f4b00031b22de0c084a297fb57929d94a61d96183b5a21adf9f91fd');
  });
});

describe('hexDigestsEqual', () => {
  it('is true only for the same digest, character for character', () => {
    expect(hexDigestsEqual(sample.checksum, sample.checksum)).toBe(true);
    expect(hexDigestsEqual(sample.checksum, `${sample.checksum.slice(0, -1)}e`)).toBe(false);
    expect(hexDigestsEqual(sample.checksum, sample.checksum.toUpperCase())).toBe(false); // callers lower-case first
  });

  it('is false, without throwing, when the lengths differ', () => {
    expect(hexDigestsEqual(sample.checksum, sample.checksum.slice(0, 32))).toBe(false);
    expect(hexDigestsEqual(sample.checksum, `${sample.checksum}00`)).toBe(false);
    expect(hexDigestsEqual(sample.checksum, '')).toBe(false);
  });

  it('compares bytes, so a multi-byte character is not mistaken for its length in characters', () => {
    expect(hexDigestsEqual('é'.repeat(32), 'é'.repeat(32))).toBe(true);
    expect(hexDigestsEqual('e'.repeat(64), 'é'.repeat(32))).toBe(false); // 64 bytes each, different
    expect(hexDigestsEqual('e'.repeat(32), 'é'.repeat(32))).toBe(false); // 32 characters each, different lengths in bytes
  });
});
