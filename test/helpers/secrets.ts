/**
 * Every secret-bearing variable with a value that breaks its rule (random-looking, so no piece of it is an English
 * word a message could contain by chance), and the rule the message must state instead.
 */
export const BAD_SECRETS: [name: string, value: string, rule: RegExp][] = [
  ['KITE_API_SECRET', 'hunter2', /at least 8 characters/],
  ['KITE_API_KEY', 'kq7f 3a9cx2', /letters, digits/],
  ['KITE_ACCESS_TOKEN', "'Zq81xCvB0tk7'", /letters, digits/],
  ['RAILS_TOKEN', 'rT9xq2Lw7m', /at least 16 characters/],
  ['TRADE_LOG_TOKEN', 'tL4bq8Zp1e', /at least 16 characters/],
  ['NOTIFY_TELEGRAM_BOT_TOKEN', 'AAH7tLm0xQ9vWk2', /<bot id>:/],
  ['NOTIFY_TELEGRAM_WEBHOOK_SECRET', 'Wh7 q2Xz 9LmP 4kVt', /letters, digits/],
  ['NOTIFY_WEBHOOK_URL', 'hq7.zz9/T9xB7q/Xk4pZ2mW', /http\(s\) URL/],
];

/** Pieces of `value` (every run of 5 characters) found in `text`: a leak, even a partial or re-quoted one. */
export function leakedPieces(text: string, value: string): string[] {
  const found = new Set<string>();
  for (let i = 0; i + 5 <= value.length; i++) if (text.includes(value.slice(i, i + 5))) found.add(value.slice(i, i + 5));
  return [...found];
}
