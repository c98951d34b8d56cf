/** Kite's error_type values the simulator answers with (https://kite.trade/docs/connect/v3/exceptions/). */
export type KiteErrorType =
  'InputException' | 'OrderException' | 'TokenException' | 'NetworkException' | 'GeneralException' | 'UserException' | 'DataException';

/** A refusal that maps 1:1 onto Kite's error envelope and HTTP status. Thrown by pure code, rendered by the server. */
export class KiteApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly errorType: KiteErrorType,
    message: string,
  ) {
    super(message);
    this.name = 'KiteApiError';
  }

  /** The wire body: {"status":"error","message":…,"error_type":…,"data":null}. */
  toEnvelope(): { status: 'error'; message: string; error_type: KiteErrorType; data: null } {
    return { status: 'error', message: this.message, error_type: this.errorType, data: null };
  }
}

export const inputError = (message: string): KiteApiError => new KiteApiError(400, 'InputException', message);
export const orderError = (message: string): KiteApiError => new KiteApiError(400, 'OrderException', message);
export const tokenError = (message = 'Incorrect `api_key` or `access_token`.'): KiteApiError => new KiteApiError(403, 'TokenException', message);
export const orderNotFound = (): KiteApiError => new KiteApiError(404, 'OrderException', "Couldn't find that `order_id`.");
