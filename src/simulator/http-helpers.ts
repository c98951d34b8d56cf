import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { KiteApiError } from './kite-errors';
import type { FormFields } from './order-params';

const MAX_BODY_BYTES = 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new KiteApiError(413, 'InputException', 'Request body too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * kiteconnect sends x-www-form-urlencoded (even on GET); the control routes also take JSON. Values become strings
 * either way, so handlers see one shape.
 */
export function parseBody(raw: string, contentType: string | undefined): FormFields {
  if (raw.trim() === '') return {};
  if (contentType?.includes('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new KiteApiError(400, 'InputException', 'Invalid JSON body.');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new KiteApiError(400, 'InputException', 'Expected a JSON object.');
    return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

/** Always application/json: kiteconnect only unwraps JSON and *resolves* anything else as a DataException. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * CSV as Kite serves its instrument dump: Content-Type exactly `text/csv` (kiteconnect 5.3.0 parses the CSV only
 * then; with a charset it hands back the raw string), gzip-encoded when the client accepts it (axios does).
 */
export function sendCsv(req: IncomingMessage, res: ServerResponse, csv: string): void {
  if (res.headersSent || res.destroyed) return;
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? gzipSync(csv) : Buffer.from(csv, 'utf8');
  res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Length': body.length, ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) });
  res.end(body);
}

export type RouteParams = Record<string, string>;

export interface Route<H> {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: H;
}

/** '/orders/:variety/:order_id' → a regex with named segments. */
export function route<H>(method: string, path: string, handler: H): Route<H> {
  const keys: string[] = [];
  const source = path.replace(/:([a-z_]+)/g, (_, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  return { method, pattern: new RegExp(`^${source}$`), keys, handler };
}

/** Find the route for a request: the match, 'method' if only the path matched (405), or undefined (404). */
export function matchRoute<H>(routes: Route<H>[], method: string, path: string): { route: Route<H>; params: RouteParams } | 'method' | undefined {
  let pathMatched = false;
  for (const candidate of routes) {
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    if (candidate.method !== method) {
      pathMatched = true;
      continue;
    }
    const params = Object.fromEntries(candidate.keys.map((key, i) => [key, decodeURIComponent(match[i + 1])]));
    return { route: candidate, params };
  }
  return pathMatched ? 'method' : undefined;
}
