import samplePostback from '../fixtures/kite-postback.json';
import { postbackChecksum } from '../../src/common/kite-checksum';
import { KiteSimulator, SimulatorOptions } from '../../src/simulator';
import { kiteFor, Kite, place, sbinBuy } from './kite-client';
import { PostbackReceiver } from './postback-receiver';

const SECRET = 'postback-secret';

describe('KiteSimulator postbacks', () => {
  let receiver: PostbackReceiver;
  let sim: KiteSimulator;
  let kite: Kite;

  async function startSim(options: Partial<SimulatorOptions> = {}): Promise<void> {
    await sim?.stop();
    sim = await new KiteSimulator({ apiSecret: SECRET, postbackUrl: receiver.url, seed: 11, startPrices: { SBIN: 470 }, ...options }).start();
    kite = kiteFor(sim);
  }

  const marketBuy = (tag?: string) => place(kite, sbinBuy({ order_type: 'MARKET', price: undefined, tag }));
  const statuses = () => receiver.bodies().map((body) => body.status);

  beforeEach(async () => {
    receiver = await new PostbackReceiver().start();
    await startSim();
  });
  afterEach(async () => {
    await sim.stop();
    await receiver.stop();
  });

  it('posts raw JSON with postback.json’s exact key set, Kite’s header and a verifiable checksum', async () => {
    const { order_id } = await marketBuy('leg1');
    await sim.flushPostbacks();

    expect(receiver.received).toHaveLength(1);
    const [{ raw, body, headers }] = receiver.received;
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(Object.keys(body)).toEqual(Object.keys(samplePostback));
    expect(body).toMatchObject({ order_id, status: 'COMPLETE', tag: 'leg1', filled_quantity: 10, unfilled_quantity: 0, average_price: 470 });
    expect(body.checksum).toBe(postbackChecksum(order_id, body.order_timestamp as string, SECRET));
    expect(kite.validatePostback(body as Parameters<Kite['validatePostback']>[0], SECRET)).toBe(true);
    expect(raw).toBe(JSON.stringify(body));
    expect(sim.postbackStats).toEqual({ enqueued: 1, sent: 1, dropped: 0, failed: 0 });
  });

  it('posts UPDATE for partial fills and modifications, then the terminal status', async () => {
    const { order_id } = await place(kite, sbinBuy({ price: 468 }));
    sim.fillOrder(order_id, 4);
    await kite.modifyOrder('regular', order_id, { price: 467.5 });
    await kite.cancelOrder('regular', order_id);
    const rejected = await place(kite, sbinBuy({ price: 468 }));
    sim.rejectOrder(rejected.order_id, 'Exchange says no');
    await sim.flushPostbacks();

    expect(statuses()).toEqual(['UPDATE', 'UPDATE', 'CANCELLED', 'REJECTED']);
    const [partial, modified, cancelled, rejection] = receiver.bodies();
    expect(partial).toMatchObject({ filled_quantity: 4, pending_quantity: 6, unfilled_quantity: 6 });
    expect(modified).toMatchObject({ price: 467.5 });
    expect(cancelled).toMatchObject({ cancelled_quantity: 6, unfilled_quantity: 6 });
    expect(rejection).toMatchObject({ order_id: rejected.order_id, status_message: 'Exchange says no' });
    for (const body of receiver.bodies()) {
      expect(body.checksum).toBe(postbackChecksum(body.order_id as string, body.order_timestamp as string, SECRET));
    }
  });

  it('also posts OPEN / TRIGGER PENDING when postbackOnOpen is set', async () => {
    await startSim({ postbackOnOpen: true });
    await marketBuy();
    await place(kite, sbinBuy({ order_type: 'SL', trigger_price: 471, price: 471.5 }));
    await sim.flushPostbacks();
    expect(statuses()).toEqual(['OPEN', 'COMPLETE', 'TRIGGER PENDING']);
  });

  it('duplicate: sends each postback twice, byte-identical', async () => {
    sim.setPostbackFaults({ duplicate: true });
    await marketBuy();
    await sim.flushPostbacks();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0].raw).toBe(receiver.received[1].raw);
    expect(sim.postbackStats.sent).toBe(2);
  });

  it('drop: all, the next N, or by seeded probability', async () => {
    sim.setPostbackFaults({ dropAll: true });
    await marketBuy('a');
    await sim.flushPostbacks();
    expect(receiver.received).toHaveLength(0);

    sim.setPostbackFaults({ dropAll: false, dropNext: 1 });
    await marketBuy('b');
    await marketBuy('c');
    await sim.flushPostbacks();
    expect(receiver.bodies().map((body) => body.tag)).toEqual(['c']);
    expect(sim.postbackStats).toMatchObject({ enqueued: 3, dropped: 2, sent: 1 });

    // Same seed, same drops.
    const deliveredTags = async (): Promise<string[]> => {
      receiver.received.length = 0;
      await startSim({ postbackFaults: { dropProbability: 0.5 } });
      for (let i = 0; i < 12; i++) await marketBuy(`t${i}`);
      await sim.flushPostbacks();
      return receiver.bodies().map((body) => body.tag as string);
    };
    const first = await deliveredTags();
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(12);
    expect(await deliveredTags()).toEqual(first);
  });

  it('reorder: holds a window of postbacks and sends it in reverse', async () => {
    sim.setPostbackFaults({ reorderWindow: 3 });
    for (const tag of ['r1', 'r2', 'r3']) await marketBuy(tag);
    await sim.flushPostbacks();
    expect(receiver.bodies().map((body) => body.tag)).toEqual(['r3', 'r2', 'r1']);

    // A partial window is released on flush (or after reorderMaxHoldMs).
    await marketBuy('r4');
    await marketBuy('r5');
    expect(receiver.received).toHaveLength(3);
    await sim.flushPostbacks();
    expect(
      receiver
        .bodies()
        .map((body) => body.tag)
        .slice(3),
    ).toEqual(['r5', 'r4']);
  });

  it('delay: holds postbacks for delayMs; flushPostbacks waits for them', async () => {
    sim.setPostbackFaults({ delayMs: 200 });
    await marketBuy('late');
    expect(receiver.received).toHaveLength(0);
    await sim.flushPostbacks();
    expect(receiver.bodies().map((body) => body.tag)).toEqual(['late']);
  });

  it('counts failed deliveries and never throws: receiver errors, unreachable URL, retries', async () => {
    receiver.status = 500;
    await marketBuy();
    await sim.flushPostbacks();
    expect(sim.postbackStats).toMatchObject({ sent: 0, failed: 1 });

    await startSim({ postbackRetries: 2, postbackRetryDelayMs: 10 });
    await marketBuy();
    await sim.flushPostbacks();
    expect(sim.postbackStats).toMatchObject({ sent: 0, failed: 1 });
    expect(receiver.received).toHaveLength(4); // 1 from before + 1 try and 2 retries

    sim.setPostbackUrl('http://127.0.0.1:1/nowhere');
    await marketBuy();
    await sim.flushPostbacks();
    expect(sim.postbackStats.failed).toBe(2);
  });

  it('stops cleanly with postbacks still delayed', async () => {
    sim.setPostbackFaults({ delayMs: 60_000 });
    await marketBuy();
    await sim.stop();
    expect(sim.postbackStats).toMatchObject({ dropped: 1, sent: 0 });
  });
});
