import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

/** Whether `host` (an interface to listen on, or a Host header's name) is reachable only from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** The request was relayed by a proxy or tunnel (Forwarded / X-Forwarded-For / X-Real-IP), so it comes from elsewhere. */
export function isProxied(headers: IncomingHttpHeaders): boolean {
  return Boolean(headers.forwarded || headers['x-forwarded-for'] || headers['x-real-ip']);
}

/** The name a Host header carries ("localhost:3000" → localhost, "[::1]:3000" → ::1), lower-cased; undefined if none. */
export function hostHeaderName(header: string | undefined): string | undefined {
  const value = header?.trim().toLowerCase();
  if (!value) return undefined;
  const name = value.startsWith('[') ? /^\[([^\]]+)\](?::\d*)?$/.exec(value)?.[1] : value.replace(/:\d*$/, '');
  return name || undefined;
}

/**
 * Why a request to an endpoint that is open on loopback (no token configured) must be refused because of its Host
 * header, or null when the header names this machine. DNS rebinding: a page on evil.example re-points its name at
 * 127.0.0.1, and the victim's browser then reaches the loopback engine with `Host: evil.example`. Browsers cannot
 * forge the Host header, so only requests naming localhost, 127.0.0.1 or [::1] are let through.
 */
export function foreignHostProblem(hostHeader: string | undefined, tokenVariable: string): string | null {
  const name = hostHeaderName(hostHeader);
  if (name !== undefined && isLoopbackHost(name)) return null;
  return `refused: the Host header (${JSON.stringify(hostHeader ?? '')}) does not name this machine, and without ${tokenVariable} these endpoints answer only requests to localhost, 127.0.0.1 or [::1] (protection against DNS rebinding). Use one of those names, or set ${tokenVariable}`;
}
