import { createServer, IncomingMessage, Server } from 'node:http';

export interface RecordedPost {
  path: string;
  body: Record<string, unknown>;
}

/** A loopback HTTP server that records JSON POSTs (a webhook or chat API stand-in) and answers `status`. */
export class HttpRecorder {
  readonly posts: RecordedPost[] = [];
  status = 200;
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        this.posts.push({ path: req.url ?? '', body: text ? JSON.parse(text) : {} });
        res.writeHead(this.status, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
