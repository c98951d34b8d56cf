import { createHash, timingSafeEqual } from 'node:crypto';

/** Kite's documented postback checksum: sha256_hex(order_id + order_timestamp + api_secret). */
export function postbackChecksum(orderId: string, orderTimestamp: string, apiSecret: string): string {
  return sha256Hex(orderId + orderTimestamp + apiSecret);
}

/**
 * The variant some third-party guides print: sha256_hex(order_id + user_id + api_secret).
 * No Kite source supports it; legwork only accepts it behind KITE_CHECKSUM_ALLOW_USER_ID_VARIANT.
 */
export function postbackChecksumUserIdVariant(orderId: string, userId: string, apiSecret: string): string {
  return sha256Hex(orderId + userId + apiSecret);
}

/** Checksum Kite expects on POST /session/token: sha256_hex(api_key + request_token + api_secret). */
export function sessionChecksum(apiKey: string, requestToken: string, apiSecret: string): string {
  return sha256Hex(apiKey + requestToken + apiSecret);
}

export function sha256Hex(input: string): string {
  return createHash('sha256').update(input).digest('hex'); // a string is hashed as its UTF-8 bytes
}

/** Constant-time comparison of two hex digests; a length mismatch is simply "not equal". */
export function hexDigestsEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  if (a.length !== b.length) {
    // Still spend a comparison so timing does not reveal where the mismatch is.
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
