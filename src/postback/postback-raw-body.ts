import type { IncomingMessage, ServerResponse } from 'node:http';
import { raw } from 'express';
import type { Request, Response } from 'express';
import { errorText } from '../common/error-text';

/** The body could not be read: 413 over the limit, or what the body parser said (e.g. 400 for a broken stream). */
export class PostbackBodyError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Reads the postback body as raw bytes whatever the Content-Type says: Kite labels it form-urlencoded but sends
 * JSON, and a urlencoded parser would mangle it. Resolves with the bytes (empty when there is no body).
 */
export function postbackBodyReader(limit: string): (req: IncomingMessage, res: ServerResponse) => Promise<Buffer> {
  const parse = raw({ type: () => true, limit });
  return (req, res) =>
    new Promise((resolve, reject) =>
      parse(req as Request, res as Response, (error?: unknown) => {
        if (error) {
          const status = (error as { status?: number }).status ?? 400;
          reject(new PostbackBodyError(status, status === 413 ? `body over ${limit}` : errorText(error)));
          return;
        }
        const body = (req as Request).body as unknown;
        resolve(Buffer.isBuffer(body) ? body : Buffer.alloc(0));
      }),
    );
}
