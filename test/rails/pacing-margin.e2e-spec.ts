import { createServer, request as httpRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OrderGateway } from '../../src/broker/order-gateway.service';
import type { KiteSimulator } from '../../src/simulator';
import { engineEnv, legPlacements, omsOrdersTagged, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { restingSell } from '../helpers/legs';
import { tempDir, TestApp } from '../helpers/test-app';

/**
 * One more HTTP hop between legwork and the broker (a corporate proxy, a NAT, Kite's own load balancer): every 11th
 * placement is held `delayMs` longer than the others, which bunches arrivals at the broker's door: with placements
 * evenly paced, the 10th placement after a held one reaches the broker `delayMs` less than ten spacings after it.
 */
class JitteryProxy {
  /** Status of every placement answer that came back through the proxy, in order. */
  readonly placementStatuses: number[] = [];
  private server: Server | undefined;
  private placements = 0;
  url = '';

  constructor(
    private readonly target: string,
    private readonly delayMs: number,
  ) {}

  async start(): Promise<this> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const isPlacement = req.method === 'POST' && /^\/orders\/[a-z]+$/.test(req.url ?? '');
        const delay = isPlacement && this.placements++ % 11 === 0 ? this.delayMs : 0;
        setTimeout(() => {
          const upstream = httpRequest(
            { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
            (answer) => {
              if (isPlacement) this.placementStatuses.push(answer.statusCode ?? 0);
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
          );
          upstream.on('error', () => res.writeHead(502).end());
          upstream.end(Buffer.concat(chunks));
        }, delay);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe("pacing with margin: a burst through one more hop never meets the broker's 429", () => {
  const tmp = tempDir();
  let sim: KiteSimulator;
  let proxy: JitteryProxy;
  let t: TestApp;
  beforeAll(async () => {
    sim = await startSimulator({ orderRateLimitPerSecond: 10 }); // 10 per rolling second, at the broker's door
    proxy = await new JitteryProxy(sim.url, 150).start();
    t = await startEngine(sim, engineEnv(sim, tmp.dir, { KITE_ROOT_URL: proxy.url }));
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
    await sim?.stop();
    tmp.cleanup();
  });
  let parent = 960000;
  const placeLeg = (price: number) =>
    t.app.get(OrderGateway).placeLeg({ strategy: 'pacing-test', parentOrderId: String(parent++), legName: 'leg', order: restingSell(price) });

  it('30 legs at once: no 429, each sent once and in the book once', async () => {
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => placeLeg(900 + i)));
    expect(outcomes.map((o) => o.status)).toEqual(Array(30).fill('placed'));
    expect(proxy.placementStatuses.filter((s) => s === 429)).toEqual([]); // today: one or more 429s in most runs
    expect(proxy.placementStatuses).toHaveLength(30);
    for (const o of outcomes) {
      expect(legPlacements(sim, o.tag)).toHaveLength(1);
      expect(omsOrdersTagged(sim, o.tag)).toHaveLength(1);
    }
  }, 30_000);

  it('a 429 means not placed: sent again after a back-off, without reading the order book first', async () => {
    sim.clearRequests();
    sim.failNextPlacements(1, { status: 429 });
    const outcome = await placeLeg(950);
    expect(outcome.status).toBe('placed');
    const calls = sim.requests.map((r) => `${r.method} ${r.path}${r.body.tag === outcome.tag ? ' (leg)' : ''}`);
    expect(calls).toEqual(['POST /orders/regular (leg)', 'POST /orders/regular (leg)']); // today: a GET /orders in between
    expect(omsOrdersTagged(sim, outcome.tag)).toHaveLength(1);
  }, 30_000);
});
