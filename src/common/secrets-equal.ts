import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a presented secret (token, webhook secret) equals the configured one, in constant time: both are hashed
 * first, so the digests have equal length and the comparison time says nothing about the secret or its length.
 */
export function secretsEqual(expected: string, received: string): boolean {
  return timingSafeEqual(createHash('sha256').update(expected).digest(), createHash('sha256').update(received).digest());
}
