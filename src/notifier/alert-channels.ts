import { Alert, AlertChannel, alertText } from './alert';

const TIMEOUT_MS = 5_000;

/** `setting` names the variable the URL comes from: fetch would quote an unparsable URL whole, credentials included. */
async function postJson(url: string, body: unknown, what: string, setting: string): Promise<void> {
  if (!URL.canParse(url)) throw new Error(`${what}: ${setting} does not make a valid URL`);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`${what} answered HTTP ${response.status}`);
}

/** POSTs the alert as JSON ({ title, text, severity, fields, at, source: "legwork" }) to a URL of your choice. */
export class WebhookChannel implements AlertChannel {
  readonly name = 'webhook';
  constructor(private readonly url: string) {}

  send(alert: Alert): Promise<void> {
    return postJson(
      this.url,
      { source: 'legwork', at: new Date().toISOString(), ...alert, message: alertText(alert) },
      'the alert webhook',
      'NOTIFY_WEBHOOK_URL',
    );
  }
}

/** Telegram Bot API sendMessage. The bot token is part of the URL, so the URL is never put in an error or a log. */
export class TelegramChannel implements AlertChannel {
  readonly name = 'telegram';
  constructor(private readonly options: { botToken: string; chatId: string; apiUrl: string }) {}

  send(alert: Alert): Promise<void> {
    const url = `${this.options.apiUrl.replace(/\/+$/, '')}/bot${this.options.botToken}/sendMessage`;
    return postJson(url, { chat_id: this.options.chatId, text: alertText(alert), disable_web_page_preview: true }, 'Telegram', 'NOTIFY_TELEGRAM_API_URL');
  }
}
