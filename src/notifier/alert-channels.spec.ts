import { errorText } from '../common/error-text';
import { TelegramChannel, WebhookChannel } from './alert-channels';

const alert = { title: 'Kill switch tripped', text: 'test', severity: 'critical' as const };

/** What the notifier logs when a channel gives up: errorText of the rejection. */
async function failure(send: () => Promise<void>): Promise<string> {
  try {
    await send();
  } catch (error) {
    return errorText(error);
  }
  throw new Error('the alert was sent');
}

describe('alert channels never put their credentials in an error', () => {
  // fetch quotes a URL it cannot parse whole ("Failed to parse URL from …"): the bot token is in Telegram's URL path,
  // and a webhook URL usually carries its key.
  it('Telegram: a URL fetch cannot parse is reported without the bot token', async () => {
    const botToken = '734529:Bq7Wz4Kx9Pm2Lt6V';
    const text = await failure(() => new TelegramChannel({ botToken, chatId: '-1001', apiUrl: 'http://[::1' }).send(alert));
    expect(text).toMatch(/NOTIFY_TELEGRAM_API_URL/);
    expect(text).not.toContain('Bq7Wz4Kx9Pm2Lt6V');
  });

  it('webhook: a URL fetch cannot parse is reported without the URL', async () => {
    const text = await failure(() => new WebhookChannel('http://[::1/hooks/T9xB7q/Xk4pZ2mW').send(alert));
    expect(text).toMatch(/NOTIFY_WEBHOOK_URL/);
    expect(text).not.toContain('Xk4pZ2mW');
  });
});
