import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';

/**
 * A loopback HTTP server between the engine's kiteconnect client and the simulator: forwards every request as it
 * came, and can change what GET /instruments answers (an error, another Content-Type, another body) to reproduce
 * what the real Kite or a network in between may do.
 */
export class KiteProxy {
  /** Answer GET /instruments with this HTTP status and Kite's error envelope instead of forwarding. */
  instrumentsFailure: { status: number; errorType: string; message: string } | null = null;
  /** Replace the Content-Type of the simulator's /instruments answer (e.g. 'text/csv; charset=utf-8'). */
  instrumentsContentType: string | null = null;
  /** Serve this CSV for GET /instruments instead of the simulator's. */
  instrumentsBody: string | null = null;
  /** GET /instruments requests seen (forwarded or answered here). */
  instrumentRequests = 0;
  /** Their paths, in order. */
  readonly instrumentPaths: string[] = [];
  url = '';
  private server: Server | undefined;

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const instruments = req.method === 'GET' && /^\/instruments(\/|$)/.test(req.url ?? '');
    if (instruments) {
      this.instrumentRequests++;
      this.instrumentPaths.push(req.url ?? '');
      if (this.instrumentsFailure) {
        const { status, errorType, message } = this.instrumentsFailure;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', message, data: null, error_type: errorType }));
        return;
      }
      if (this.instrumentsBody !== null) {
        res.writeHead(200, { 'content-type': this.instrumentsContentType ?? 'text/csv' }).end(this.instrumentsBody);
        return;
      }
    }
    // Plain bodies from the simulator, so a Content-Type can be rewritten without touching an encoding.
    const headers = { ...req.headers, host: new URL(this.target).host };
    delete headers['accept-encoding'];
    const upstream = request(`${this.target}${req.url}`, { method: req.method, headers }, (answer) => {
      const out = { ...answer.headers };
      if (instruments && this.instrumentsContentType) out['content-type'] = this.instrumentsContentType;
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  }
}
