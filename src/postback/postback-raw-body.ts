import { HttpException, Logger, PayloadTooLargeException } from '@nestjs/common';
import { raw } from 'express';
import type { RequestHandler } from 'express';
import { errorText } from '../common/error-text';

/**
 * Reads the postback body as raw bytes whatever the Content-Type says: Kite labels it form-urlencoded but sends
 * JSON, and a urlencoded parser would mangle it. Must be mounted before any other body parser.
 * Oversize bodies are logged here and surface as 413 through Nest's exception layer.
 */
export function postbackRawBody(limit: string): RequestHandler {
  const logger = new Logger('PostbackIngress');
  const parse = raw({ type: () => true, limit });
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (!error) return next();
      const status = (error as { status?: number }).status ?? 400;
      const reason = status === 413 ? `body over ${limit}` : errorText(error);
      logger.warn(`rejected postback (${status}): ${reason} from ${req.ip}`);
      next(status === 413 ? new PayloadTooLargeException(`postback body over ${limit}`) : new HttpException(reason, status));
    });
}
