import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPostback {
  /** The raw body, exactly as sent (Kite posts JSON under a form-urlencoded Content-Type). */
  raw: string;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

/** A tiny local webhook endpoint for tests: records every POST and answers with a configurable status. */
export class PostbackReceiver {
  readonly received: ReceivedPostback[] = [];
  status = 200;
  private server: Server | undefined;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        this.received.push({ raw, body: JSON.parse(raw) as Record<string, unknown>, headers: req.headers });
        res.writeHead(this.status).end();
        this.waiters = this.waiters.filter((waiter) => (this.received.length >= waiter.count ? (waiter.resolve(), false) : true));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return this;
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}/postback`;
  }

  /** Resolves once at least `count` postbacks have arrived. */
  waitFor(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  bodies(): Array<Record<string, unknown>> {
    return this.received.map((postback) => postback.body);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
