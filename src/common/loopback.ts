import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

/** Whether `host` (an interface to listen on, or a Host header's name) is reachable only from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** The request was relayed by a proxy or tunnel (Forwarded / X-Forwarded-For / X-Real-IP), so it comes from elsewhere. */
export function isProxied(headers: IncomingHttpHeaders): boolean {
  return Boolean(headers.forwarded || headers['x-forwarded-for'] || headers['x-real-ip']);
}
