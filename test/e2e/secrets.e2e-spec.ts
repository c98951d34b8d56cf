import request from 'supertest';
import type { KiteSimulator } from '../../src/simulator';
import { engineExitOn, startEngineProcess } from '../helpers/engine-process';
import { startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { HttpRecorder } from '../helpers/http-recorder';
import { signedPostback } from '../helpers/postbacks';
import { BAD_SECRETS, leakedPieces } from '../helpers/secrets';
import { tempDir, testEnv } from '../helpers/test-app';

/** Every configured secret whose value (or a piece of it) shows up in `output`. */
const leaks = (output: string, secrets: Record<string, string>) =>
  Object.entries(secrets).flatMap(([name, value]) => leakedPieces(output, value).map((piece) => `${name}: "${piece}"`));

describe('secrets never reach the output of the engine process', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('refuses to start on malformed secrets, naming each variable and its rule and echoing no value', async () => {
    const secrets = Object.fromEntries(BAD_SECRETS.map(([name, value]) => [name, value]));
    const { code, output } = await engineExitOn({ ...testEnv(tmp.dir), NOTIFY_TELEGRAM_CHAT_ID: '-1001', ...secrets });
    expect(code).toBe(1);
    for (const [name, , rule] of BAD_SECRETS) expect(output).toMatch(new RegExp(`${name}[^\\n]*${rule.source}`));
    expect(leaks(output, secrets)).toEqual([]);
  }, 60_000);

  it('refuses URLs the clients could not parse before a token is appended to them (order stream, Telegram)', async () => {
    // Well-formed credentials: the only thing wrong is the URLs. A URL ws or fetch cannot parse ends up in their error
    // message, with the access token or the bot token the engine appended.
    const secrets = { KITE_API_KEY: 'kq7f3a9cx2', KITE_ACCESS_TOKEN: 'Qm4xT8vZp2Lk9wRb', NOTIFY_TELEGRAM_BOT_TOKEN: '734529:Zx8Kq2Vb7Lm4Tp9W' };
    const { code, output } = await engineExitOn({
      ...testEnv(tmp.dir, { LEGWORK_MODE: 'live', KITE_ROOT_URL: 'http://127.0.0.1:1', RECONCILE_ON_BOOT: 'false' }),
      ...secrets,
      KITE_WS_ORDER_UPDATES: 'true',
      KITE_WS_URL: 'ws://[::1',
      NOTIFY_TELEGRAM_CHAT_ID: '-1001',
      NOTIFY_TELEGRAM_API_URL: 'http://[::1',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/KITE_WS_URL must be a ws\(s\) URL/);
    expect(output).toMatch(/NOTIFY_TELEGRAM_API_URL must be an http\(s\) URL/);
    expect(leaks(output, secrets)).toEqual([]);
  }, 60_000);

  describe('a running engine whose secrets are well formed but wrong or refused', () => {
    let sim: KiteSimulator;
    const telegram = new HttpRecorder();
    beforeAll(async () => {
      sim = await startSimulator({ apiKey: 'Km3vX8qT2zWc' });
      await telegram.start();
      telegram.status = 401; // Telegram refuses the bot token
    });
    afterAll(async () => {
      await sim?.stop();
      await telegram.stop();
    });

    it('logs what went wrong (Kite refusing the token, Telegram refusing the bot, bad tokens presented) without any secret', async () => {
      const secrets = {
        KITE_API_SECRET: 'Vr8kP3zQx7Lm2Nw5',
        KITE_API_KEY: sim.options.apiKey,
        KITE_ACCESS_TOKEN: 'Jd7qW2xZ9pLk4Tb8', // not one the simulator issued: TokenException
        RAILS_TOKEN: 'Rk5tY8wQ2zXc7Vb3Nm',
        TRADE_LOG_TOKEN: 'Tg3hJ9kL2mQw8Er5Ty',
        NOTIFY_TELEGRAM_BOT_TOKEN: '734529:Bq7Wz4Kx9Pm2Lt6V',
        NOTIFY_TELEGRAM_WEBHOOK_SECRET: 'Hs6dF2gJ8kL4zX9cVb',
      };
      const engine = await startEngineProcess({
        ...testEnv(tmp.dir, { LEGWORK_MODE: 'live', KITE_ROOT_URL: sim.url, KITE_WS_ORDER_UPDATES: 'true', KITE_WS_URL: sim.wsUrl, LOG_LEVEL: 'debug' }),
        ...secrets,
        NOTIFY_TELEGRAM_CHAT_ID: '-1001',
        NOTIFY_TELEGRAM_API_URL: telegram.url,
      });
      try {
        // Kite refuses the access token (reconcile at boot, the order stream).
        await eventually(() => /LOGIN NEEDED/.test(engine.output()), 'the engine reporting the refused Kite token', 30_000);
        // Wrong tokens presented to the guarded endpoints, and a postback signed with another secret.
        expect((await request(engine.url).get('/rails').set('authorization', `Bearer ${secrets.TRADE_LOG_TOKEN}`)).status).toBe(401);
        expect((await request(engine.url).get('/api/trade-log/days').set('authorization', `Bearer ${secrets.RAILS_TOKEN}`)).status).toBe(401);
        expect((await request(engine.url).post('/rails/telegram').set('x-telegram-bot-api-secret-token', 'Wrong-secret-123456').send({})).status).toBe(403);
        expect(
          (
            await request(engine.url)
              .post('/kite/postback')
              .type('form')
              .send(JSON.stringify(signedPostback({}, 'another-secret-x')))
          ).status,
        ).toBe(403);
        // An alert (the kill switch tripped with the right token) that Telegram refuses three times.
        const tripped = await request(engine.url)
          .post('/rails/kill-switch')
          .set('authorization', `Bearer ${secrets.RAILS_TOKEN}`)
          .send({ reason: 'secrets test' });
        expect(tripped.status).toBe(200);
        await eventually(() => /could not be sent to telegram/.test(engine.output()), 'the engine giving up on Telegram', 30_000);
        expect(telegram.posts.length).toBeGreaterThanOrEqual(3);
      } finally {
        await engine.stop();
      }
      expect(leaks(engine.output(), secrets)).toEqual([]);
    }, 90_000);
  });
});
