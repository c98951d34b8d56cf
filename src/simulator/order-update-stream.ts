import type { IncomingMessage, Server } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';

/**
 * Kite's WebSocket order updates, as KiteTicker expects them: text frames `{"type":"order","data":{...postback
 * fields...}}`, and a 1-byte binary heartbeat every second (KiteTicker drops a connection silent for 5 s).
 * Served on the simulator's HTTP port: `new KiteTicker({ api_key, access_token, root: sim.wsUrl })`.
 */
export class OrderUpdateStream {
  private wss: WebSocketServer | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Fault switch: keep connections but send no order frames (heartbeats continue). */
  muted = false;
  delivered = 0;

  constructor(private readonly authenticate: (apiKey: string | null, accessToken: string | null) => boolean) {}

  attach(server: Server): void {
    this.wss = new WebSocketServer({ server, verifyClient: (info: { req: IncomingMessage }) => this.verify(info.req) });
    this.heartbeat = setInterval(() => {
      for (const client of this.clients()) client.send(Buffer.from([0]));
    }, 1000);
    this.heartbeat.unref();
  }

  get connections(): number {
    return this.clients().length;
  }

  broadcast(order: Record<string, unknown>): void {
    if (this.muted) return;
    const frame = JSON.stringify({ type: 'order', data: order });
    for (const client of this.clients()) {
      client.send(frame);
      this.delivered++;
    }
  }

  /** Drop every connection, as a network blip would; clients are expected to reconnect. */
  disconnectAll(): void {
    for (const client of this.clients()) client.terminate();
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.disconnectAll();
    const wss = this.wss;
    this.wss = undefined;
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  private clients(): WebSocket[] {
    return this.wss ? [...this.wss.clients].filter((c) => c.readyState === WebSocket.OPEN) : [];
  }

  private verify(req: IncomingMessage): boolean {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    return this.authenticate(query.get('api_key'), query.get('access_token'));
  }
}
