import request from 'supertest';
import { OrderEventName, OrderFilledEvent } from '../../src/events';
import { InboxEntry } from '../../src/inbox/inbox-entry.entity';
import { Fill } from '../../src/orders/entities/fill.entity';
import { OrderEventRecord } from '../../src/orders/entities/order-event.entity';
import { Order } from '../../src/orders/entities/order.entity';
import { recordOrderEvents } from '../helpers/event-recorder';
import { orderUpdate, signedPostback } from '../helpers/postbacks';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';

const PATH = '/kite/postback';
// What Kite really sends: a JSON body labelled as a form post.
const KITE_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8';

describe('postback ingress (real HTTP, real SQLite)', () => {
  const tmp = tempDir();
  let t: TestApp;
  let events: ReturnType<typeof recordOrderEvents>;

  beforeAll(async () => {
    t = await createTestApp(testEnv(tmp.dir, { POSTBACK_BODY_LIMIT: '4kb' }));
    events = recordOrderEvents(t.app);
  });
  afterAll(async () => {
    await t.close();
    tmp.cleanup();
  });
  // Processing runs behind the answer: let the previous test's finish before counting this test's events.
  beforeEach(async () => {
    await t.settle();
    events.splice(0);
  });

  const post = (body: string | object, contentType = KITE_CONTENT_TYPE) =>
    request(t.app.getHttpServer())
      .post(PATH)
      .set('Content-Type', contentType)
      .send(typeof body === 'string' ? body : JSON.stringify(body));

  it("accepts Kite's own sample postback (form content-type, raw JSON body), stores it and emits events", async () => {
    const sample = signedPostback();
    const res = await post(sample);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });

    const inbox = await t.dataSource.getRepository(InboxEntry).findOneByOrFail({ orderId: '220303000308932' });
    expect(JSON.parse(inbox.rawBody)).toEqual(sample); // every field kept, including ones legwork does not model
    await t.settle();
    const order = await t.dataSource.getRepository(Order).findOneByOrFail({ orderId: '220303000308932' });
    expect(order).toMatchObject({ status: 'COMPLETE', filledQuantity: 1, averagePrice: 470, tradingsymbol: 'SBIN' });
    expect(events.map((e) => e.name)).toEqual([OrderEventName.Filled, OrderEventName.Completed]);
    expect((events[0] as OrderFilledEvent).fill).toEqual({ quantity: 1, price: 470, cumulativeQuantity: 1 });
    expect(events[0].source).toBe('postback');
  });

  it.each([['application/json'], ['text/plain'], ['application/octet-stream']])(
    'reads the raw body whatever the Content-Type says (%s)',
    async (contentType) => {
      const res = await post(orderUpdate(`90000000000000000${contentType.length}`, 'OPEN', 0, 5, 0, '2026-11-25 09:15:01'), contentType);
      expect(res.status).toBe(200);
    },
  );

  it('rejects a forged checksum with 403, stores nothing, emits nothing', async () => {
    const forged = signedPostback({ order_id: '1953341975595868160', checksum: 'a'.repeat(64) });
    const res = await post(forged);
    expect(res.status).toBe(403);
    await t.settle();
    expect(await t.dataSource.getRepository(InboxEntry).countBy({ orderId: '1953341975595868160' })).toBe(0);
    expect(events).toHaveLength(0);
  });

  it('rejects a postback signed with another secret (403) and one with no checksum (403)', async () => {
    expect((await post(signedPostback({ order_id: '111' }, 'some-other-secret'))).status).toBe(403);
    const unsigned = signedPostback({ order_id: '112' }) as Record<string, unknown>;
    delete unsigned.checksum;
    expect((await post(unsigned)).status).toBe(403);
  });

  it('does not accept the order_id + user_id checksum variant unless switched on', async () => {
    const { postbackChecksumUserIdVariant } = await import('../../src/common/kite-checksum');
    const body = signedPostback({ order_id: '113', checksum: postbackChecksumUserIdVariant('113', 'AB1234', '0hdv7iw5examplesecret') });
    expect((await post(body)).status).toBe(403);
  });

  it.each([
    ['empty body', ''],
    ['whitespace', '   '],
    ['not JSON', 'order_id=1&checksum=2'],
    ['truncated JSON', '{"order_id": "1"'],
    ['JSON array', '[1,2,3]'],
    ['JSON string', '"hello"'],
    ['JSON null', 'null'],
    ['missing order_id', JSON.stringify({ order_timestamp: '2026-11-25 09:15:00', status: 'OPEN', checksum: 'x' })],
    ['missing order_timestamp', JSON.stringify({ order_id: '1', status: 'OPEN', checksum: 'x' })],
    ['order_id of the wrong type', JSON.stringify({ order_id: { a: 1 }, order_timestamp: 't', status: 'OPEN' })],
  ])('answers 400 for %s', async (_name, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/invalid postback/);
  });

  it('answers 413 for a body over the limit, and keeps serving', async () => {
    const huge = signedPostback({ order_id: '114', padding: 'x'.repeat(8 * 1024) });
    const res = await post(huge);
    expect(res.status).toBe(413);
    expect((await post(signedPostback({ order_id: '115' }))).status).toBe(200);
  });

  it('answers rejections in the JSON shape of the rest of the API', async () => {
    const res = await post(signedPostback({ order_id: '116', checksum: 'b'.repeat(64) }));
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'postback rejected: checksum mismatch' });
  });

  it('serves the postback path with a trailing slash or a query string, and leaves other methods to the app (404)', async () => {
    const server = t.app.getHttpServer();
    const send = (path: string, id: string) =>
      request(server)
        .post(path)
        .set('Content-Type', KITE_CONTENT_TYPE)
        .send(JSON.stringify(signedPostback({ order_id: id })));
    expect((await send(`${PATH}/`, '117')).status).toBe(200);
    expect((await send(`${PATH}?from=kite`, '118')).status).toBe(200);
    expect((await send('/kite/postbacks', '119')).status).toBe(404);
    expect((await request(server).get(PATH)).status).toBe(404);
    expect(await t.dataSource.getRepository(InboxEntry).countBy({ orderId: '117' })).toBe(1);
    expect(await t.dataSource.getRepository(InboxEntry).countBy({ orderId: '118' })).toBe(1);
    expect(await t.dataSource.getRepository(InboxEntry).countBy({ orderId: '119' })).toBe(0);
  });

  it('absorbs a duplicate postback: both get 200, one inbox row, one set of events', async () => {
    const body = orderUpdate('2000000000000000001', 'COMPLETE', 5, 5, 250.5, '2026-11-25 09:20:00');
    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);
    await t.settle();
    expect(await t.dataSource.getRepository(InboxEntry).countBy({ orderId: '2000000000000000001' })).toBe(1);
    expect(events.filter((e) => e.orderId === '2000000000000000001').map((e) => e.name)).toEqual([OrderEventName.Filled, OrderEventName.Completed]);
  });

  it('records partial fills 3/10 @100 → 7/10 → 10/10 as exact deltas and prices', async () => {
    const id = '2000000000000000002';
    await post(orderUpdate(id, 'OPEN', 0, 10, 0, '2026-11-25 09:15:00'));
    await post(orderUpdate(id, 'UPDATE', 3, 10, 100, '2026-11-25 09:15:01'));
    await post(orderUpdate(id, 'UPDATE', 7, 10, 101, '2026-11-25 09:15:02')); // 4 more @ (101·7 − 100·3)/4 = 101.75
    await post(orderUpdate(id, 'COMPLETE', 10, 10, 101.3, '2026-11-25 09:15:03')); // 3 more @ (1013 − 707)/3 = 102
    await t.settle();
    const fills = await t.dataSource.getRepository(Fill).find({ where: { orderId: id }, order: { id: 'ASC' } });
    expect(fills.map((f) => [f.quantity, f.price, f.cumulativeQuantity])).toEqual([
      [3, 100, 3],
      [4, 101.75, 7],
      [3, 102, 10],
    ]);
    const filled = events.filter((e): e is OrderFilledEvent => e.name === OrderEventName.Filled && e.orderId === id);
    expect(filled.map((e) => e.fill.quantity)).toEqual([3, 4, 3]);
    expect(events.filter((e) => e.orderId === id).map((e) => e.name)).toEqual([
      'order.opened',
      'order.filled',
      'order.filled',
      'order.filled',
      'order.completed',
    ]);
    const order = await t.dataSource.getRepository(Order).findOneByOrFail({ orderId: id });
    expect(order).toMatchObject({ status: 'COMPLETE', filledQuantity: 10, pendingQuantity: 0 });
    const transitions = await t.dataSource.getRepository(OrderEventRecord).countBy({ orderId: id });
    expect(transitions).toBe(5);
  });

  it('keeps COMPLETE when a late OPEN (and a late partial fill) arrives afterwards', async () => {
    const id = '2000000000000000003';
    await post(orderUpdate(id, 'COMPLETE', 4, 4, 55, '2026-11-25 09:30:05'));
    await post(orderUpdate(id, 'OPEN', 0, 4, 0, '2026-11-25 09:30:00'));
    await post(orderUpdate(id, 'UPDATE', 2, 4, 55, '2026-11-25 09:30:02'));
    await t.settle();
    const order = await t.dataSource.getRepository(Order).findOneByOrFail({ orderId: id });
    expect(order).toMatchObject({ status: 'COMPLETE', filledQuantity: 4 });
    expect(events.filter((e) => e.orderId === id).map((e) => e.name)).toEqual(['order.filled', 'order.completed']);
    const ignored = await t.dataSource.getRepository(InboxEntry).findBy({ orderId: id, outcome: 'ignored' });
    expect(ignored).toHaveLength(2);
  });

  it('emits order.rejected with the reason and order.cancelled with the final fill', async () => {
    await post(
      orderUpdate('2000000000000000004', 'REJECTED', 0, 5, 0, '2026-11-25 09:31:00', {
        status_message: 'RMS:Margin Exceeds, Required:1000, Available:10',
      }),
    );
    await post(orderUpdate('2000000000000000005', 'UPDATE', 2, 5, 10, '2026-11-25 09:31:00'));
    await post(orderUpdate('2000000000000000005', 'CANCELLED', 2, 5, 10, '2026-11-25 09:31:05', { cancelled_quantity: 3 }));
    await t.settle();
    const rejected = events.find((e) => e.name === OrderEventName.Rejected);
    expect(rejected).toMatchObject({ orderId: '2000000000000000004', reason: 'RMS:Margin Exceeds, Required:1000, Available:10' });
    expect(events.filter((e) => e.orderId === '2000000000000000005').map((e) => e.name)).toEqual(['order.opened', 'order.filled', 'order.cancelled']);
  });

  it('keeps 19-digit order ids exact, as strings', async () => {
    const id = '1953341975595868160';
    await post(orderUpdate(id, 'OPEN', 0, 1, 0, '2026-11-25 09:32:00'));
    await t.settle();
    expect(await t.dataSource.getRepository(Order).findOneBy({ orderId: id })).not.toBeNull();
    expect(events.find((e) => e.orderId === id)).toBeDefined();
  });
});
