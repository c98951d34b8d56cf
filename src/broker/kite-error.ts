import { errorText } from '../common/error-text';

/**
 * What a failed Kite call means for a placement:
 * - refused: Kite looked at the order and said no (bad input, margin, RMS, expired token). Nothing was placed;
 *   retrying would be refused again, or worse, placed later at a price nobody chose.
 * - rate-limited: a 429 at Kite's door. Nothing was placed: send again after a back-off, no need to ask the OMS.
 * - unclear: the call may or may not have reached the OMS (no response, timeout, 5xx, a 200 that was not JSON, a 400
 *   "Order request timed out"). Only evidence settles it (see leg-state.machine.ts).
 */
export type KiteErrorKind = 'refused' | 'rate-limited' | 'unclear';

export interface KiteErrorInfo {
  kind: KiteErrorKind;
  errorType: string;
  message: string;
}

const REFUSED = new Set(['InputException', 'OrderException', 'MarginException', 'HoldingException', 'UserException', 'PermissionException', 'TokenException']);

/**
 * kiteconnect 5.3.0 reports a 429 as a NetworkException like any 5xx or timeout; only the message tells them apart
 * (Kite's JSON body says "Too many requests", a bare 429 gets the status text "Too Many Requests").
 */
const RATE_LIMITED = /too many requests/i;
/** "Order request timed out. Please check the order book and confirm before placing again.": whatever its error_type, unclear. */
const CHECK_THE_BOOK = /timed out|check the order ?book/i;

/** Classify anything kiteconnect rejected with (it rejects with plain objects, not Errors). */
export function classifyKiteError(error: unknown): KiteErrorInfo {
  const type =
    error && typeof error === 'object' && typeof (error as { error_type?: unknown }).error_type === 'string'
      ? (error as { error_type: string }).error_type
      : error instanceof Error
        ? 'NetworkException'
        : 'GeneralException';
  const message = errorText(error);
  const kind =
    type === 'NetworkException' && RATE_LIMITED.test(message) ? 'rate-limited' : REFUSED.has(type) && !CHECK_THE_BOOK.test(message) ? 'refused' : 'unclear';
  return { kind, errorType: type, message };
}
