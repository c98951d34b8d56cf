/**
 * A readable one-line description of anything thrown. kiteconnect rejects with plain objects
 * ({ message, error_type }), not Errors, so `String(error)` would print "[object Object]".
 */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object') {
    const { error_type: type, message } = error as { error_type?: unknown; message?: unknown };
    if (typeof message === 'string') return typeof type === 'string' ? `${type}: ${message}` : message;
    try {
      return JSON.stringify(error);
    } catch {
      /* fall through */
    }
  }
  return String(error);
}
