import { Order } from '../../src/orders/entities/order.entity';
import { Notifier } from '../../src/notifier/notifier.service';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { eventually } from '../helpers/eventually';
import { HttpRecorder } from '../helpers/http-recorder';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

describe('reject-alert strategy: a rejection becomes an alert on the webhook and Telegram, without holding ingress', () => {
  const tmp = tempDir();
  const BOT_TOKEN = '123456:telegram-test-token';
  let sim: KiteSimulator;
  let t: TestApp;
  const webhook = new HttpRecorder();
  const telegram = new HttpRecorder();

  beforeAll(async () => {
    await webhook.start();
    await telegram.start();
    sim = await startSimulator();
    t = await startEngine(
      sim,
      engineEnv(sim, tmp.dir, {
        STRATEGIES: 'reject-alert',
        NOTIFY_WEBHOOK_URL: `${webhook.url}/hooks/legwork`,
        NOTIFY_TELEGRAM_BOT_TOKEN: BOT_TOKEN,
        NOTIFY_TELEGRAM_CHAT_ID: '-1001234',
        NOTIFY_TELEGRAM_API_URL: telegram.url,
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    await webhook.stop();
    await telegram.stop();
    tmp.cleanup();
  });

  it('sends the order, symbol and Kite reason to both channels', async () => {
    const { order_id: rejected } = await place(kiteFor(sim), sbinBuy({ quantity: 5000 })); // over the simulator's RMS limit
    const reason = await eventually(() => sim.getOrder(rejected)?.status === 'REJECTED' && sim.getOrder(rejected)!.status_message, 'the rejection');
    await eventually(async () => {
      await t.settle();
      await t.app.get(Notifier).idle();
      return webhook.posts.length > 0 && telegram.posts.length > 0;
    }, 'both alerts');

    expect(webhook.posts).toHaveLength(1);
    expect(webhook.posts[0].path).toBe('/hooks/legwork');
    expect(webhook.posts[0].body).toMatchObject({
      source: 'legwork',
      severity: 'warning',
      title: 'Order rejected: BUY 5000 SBIN',
      text: reason,
      fields: { order_id: rejected, exchange: 'NSE', source: 'postback' },
    });
    expect(telegram.posts).toHaveLength(1);
    expect(telegram.posts[0].path).toBe(`/bot${BOT_TOKEN}/sendMessage`);
    expect(telegram.posts[0].body.chat_id).toBe('-1001234');
    expect(telegram.posts[0].body.text).toContain(`order_id: ${rejected}`);
    expect(telegram.posts[0].body.text).toContain(String(reason));
  });

  it('keeps accepting postbacks while the webhook is down, and says so in the log instead of throwing', async () => {
    webhook.status = 500;
    const before = webhook.posts.length;
    const { order_id: rejected } = await place(kiteFor(sim), sbinBuy({ quantity: 4000 }));
    const { order_id: fine } = await place(kiteFor(sim), sbinBuy({ order_type: 'MARKET', price: 0, quantity: 1 }));
    await eventually(async () => {
      await t.settle();
      const orders = t.dataSource.getRepository(Order);
      return (await orders.findOneBy({ orderId: rejected }))?.status === 'REJECTED' && (await orders.findOneBy({ orderId: fine }))?.status === 'COMPLETE';
    }, 'both orders processed');
    await t.app.get(Notifier).idle();
    expect(webhook.posts.length - before).toBe(3); // tried three times, then gave up
    webhook.status = 200;
  });
});
