import { postbackChecksum } from '../common/kite-checksum';

export interface SendResult {
  status: number;
  body: string;
}

/** Re-sign a postback with Kite's formula over its own order_id and order_timestamp strings. */
export function signPostback(payload: Record<string, unknown>, apiSecret: string): Record<string, unknown> {
  return { ...payload, checksum: postbackChecksum(String(payload.order_id), String(payload.order_timestamp), apiSecret) };
}

/**
 * Send one raw postback body the way Kite does: POST, form-urlencoded Content-Type, raw JSON body.
 * Network failures resolve with status 0 so a batch carries on and reports them.
 */
export async function sendPostback(url: string, rawBody: string, timeoutMs = 10_000): Promise<SendResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: rawBody,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, body: await res.text() };
  } catch (error) {
    return { status: 0, body: error instanceof Error ? error.message : String(error) };
  }
}

/** Apply `key=value` overrides; numbers and null/true/false are typed, everything else stays a string. */
export function applyOverrides(payload: Record<string, unknown>, overrides: string[]): Record<string, unknown> {
  const result = { ...payload };
  for (const pair of overrides) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--set expects key=value, got "${pair}"`);
    const key = pair.slice(0, at);
    const text = pair.slice(at + 1);
    // Ids and timestamps stay strings even when they look numeric: ids can exceed 2^53.
    const keepString = /(^|_)id$|timestamp|tag|tradingsymbol/.test(key);
    result[key] = keepString
      ? text
      : text === 'null'
        ? null
        : text === 'true'
          ? true
          : text === 'false'
            ? false
            : text !== '' && Number.isFinite(Number(text))
              ? Number(text)
              : text;
  }
  return result;
}
