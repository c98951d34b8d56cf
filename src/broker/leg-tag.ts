import { createHash } from 'node:crypto';

/** Kite allows tags of at most 20 alphanumerics. */
export const KITE_TAG_MAX_LENGTH = 20;
/** Every tag legwork puts on a leg starts with this, so its orders are recognisable in Kite's order book. */
export const LEG_TAG_PREFIX = 'lw';

/**
 * The Kite tag of a leg (or of one of its slices): derived from the leg's unique key, so the same leg always gets the same tag — in any process,
 * after any restart — and can be looked up in the OMS to learn whether an interrupted placement went through.
 * 'lw' + 18 hex digits of sha256 (72 bits): collisions within a trading account are not a practical concern.
 */
export function legTag(strategy: string, parentOrderId: string, legName: string, slice = 0): string {
  // Slice 0 (a whole leg) hashes the key as it always did, so tags recorded before slicing existed stay the same.
  const key = `${strategy}\u0000${parentOrderId}\u0000${legName}${slice > 0 ? `\u0000${slice}` : ''}`;
  const digest = createHash('sha256').update(key).digest('hex');
  return `${LEG_TAG_PREFIX}${digest.slice(0, KITE_TAG_MAX_LENGTH - LEG_TAG_PREFIX.length)}`;
}

export function isLegTag(tag: string | null | undefined): tag is string {
  return typeof tag === 'string' && tag.length === KITE_TAG_MAX_LENGTH && tag.startsWith(LEG_TAG_PREFIX) && /^[a-z0-9]+$/.test(tag);
}
