import request from 'supertest';
import { Notifier } from '../../src/notifier/notifier.service';
import { KillSwitchService } from '../../src/rails/kill-switch.service';
import { HttpRecorder } from '../helpers/http-recorder';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';

describe('the kill switch from the alert channel (Telegram bot commands)', () => {
  const tmp = tempDir();
  const SECRET = 'telegram-webhook-secret-123';
  const telegram = new HttpRecorder();
  let t: TestApp;
  beforeAll(async () => {
    await telegram.start();
    t = await createTestApp(
      testEnv(tmp.dir, {
        NOTIFY_TELEGRAM_BOT_TOKEN: '42:bot-token',
        NOTIFY_TELEGRAM_CHAT_ID: '-100777',
        NOTIFY_TELEGRAM_API_URL: telegram.url,
        NOTIFY_TELEGRAM_WEBHOOK_SECRET: SECRET,
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await telegram.stop();
    tmp.cleanup();
  });
  const send = (text: string, chat = -100777, secret = SECRET) =>
    request(t.app.getHttpServer())
      .post('/rails/telegram')
      .set('x-telegram-bot-api-secret-token', secret)
      .send({ update_id: 1, message: { message_id: 9, chat: { id: chat }, from: { username: 'trader' }, text } });
  const state = () => t.app.get(KillSwitchService).status();

  it('refuses calls without Telegram’s secret token', async () => {
    expect((await send('/kill now', -100777, 'wrong-secret-value-xx')).status).toBe(403);
    expect((await state()).tripped).toBe(false);
  });

  it('ignores commands from any other chat', async () => {
    expect((await send('/kill from a stranger', 12345)).status).toBe(200);
    expect((await state()).tripped).toBe(false);
  });

  it('/kill trips it (and says so in the chat), /status reports, /rearm re-arms', async () => {
    expect((await send('/kill nifty is falling off a cliff')).status).toBe(200);
    expect(await state()).toMatchObject({ tripped: true, reason: 'nifty is falling off a cliff', changedBy: 'telegram:trader' });
    await send('/status');
    await send('/rearm');
    expect((await state()).tripped).toBe(false);
    await t.app.get(Notifier).idle();
    const texts = telegram.posts.map((p) => String(p.body.text));
    expect(texts[0]).toMatch(/Kill switch tripped: legwork places no new orders\nnifty is falling off a cliff/);
    expect(texts[1]).toMatch(/Kill switch TRIPPED/);
    expect(texts[2]).toMatch(/Kill switch re-armed/);
  });
});
