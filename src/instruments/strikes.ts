import type { InstrumentInfo } from './instrument.types';

/**
 * The listed option nearest to `strike` among `candidates` (one underlying, expiry and type), strictly between
 * `above` and `below` when given. Ties go to the strike nearer the bound (a hedge then sits nearer the option it
 * protects), else to the lower strike. Null when none qualifies.
 */
export function pickNearestStrike<T extends Pick<InstrumentInfo, 'strike'>>(
  candidates: readonly T[],
  query: { strike: number; above?: number; below?: number },
): T | null {
  const { strike, above, below } = query;
  const bound = above ?? below;
  let best: T | null = null;
  for (const candidate of candidates) {
    const value = candidate.strike;
    if (value === null || (above !== undefined && !(value > above)) || (below !== undefined && !(value < below))) continue;
    if (best === null) {
      best = candidate;
      continue;
    }
    const distance = Math.abs(value - strike);
    const bestDistance = Math.abs(best.strike! - strike);
    const nearer = distance < bestDistance;
    const tieBreak = distance === bestDistance && (bound !== undefined ? Math.abs(value - bound) < Math.abs(best.strike! - bound) : value < best.strike!);
    if (nearer || tieBreak) best = candidate;
  }
  return best;
}
