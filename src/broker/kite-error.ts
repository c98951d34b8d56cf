import { errorText } from '../common/error-text';

/**
 * What a failed Kite call means for a placement:
 * - refused: Kite looked at the order and said no (bad input, margin, RMS, expired token). Nothing was placed;
 *   retrying would be refused again, or worse, placed later at a price nobody chose.
 * - unclear: the call may or may not have reached the OMS (no response, timeout, 5xx, rate-limited gateway, a 200 that
 *   was not JSON). Safe to retry only after asking the OMS whether an order with the leg's tag exists.
 */
export type KiteErrorKind = 'refused' | 'unclear';

export interface KiteErrorInfo {
  kind: KiteErrorKind;
  errorType: string;
  message: string;
}

const REFUSED = new Set([
  'InputException',
  'OrderException',
  'MarginException',
  'HoldingException',
  'UserException',
  'PermissionException',
  'TokenException',
]);

/** Classify anything kiteconnect rejected with (it rejects with plain objects, not Errors). */
export function classifyKiteError(error: unknown): KiteErrorInfo {
  const type =
    error && typeof error === 'object' && typeof (error as { error_type?: unknown }).error_type === 'string'
      ? (error as { error_type: string }).error_type
      : error instanceof Error
        ? 'NetworkException'
        : 'GeneralException';
  return { kind: REFUSED.has(type) ? 'refused' : 'unclear', errorType: type, message: errorText(error) };
}
