import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { InboxProcessor } from '../inbox/inbox.processor';
import { InboxService } from '../inbox/inbox.service';
import { Metric } from '../metrics/metrics';
import { PostbackBodyError, postbackBodyReader } from './postback-raw-body';
import { PostbackVerifier } from './postback-verifier';
import { InvalidPostbackError, parsePostback } from './postback.parser';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 413: 'Payload Too Large' };
const OK = Buffer.from('{"status":"ok"}');

/**
 * Kite's order postbacks: raw body (413) → parse (400) → checksum (403) → committed to the inbox → 200
 * {"status":"ok"}; processing is kicked and runs behind the answer.
 *
 * Served straight from node:http, in front of express and Nest's router (see mountPostbackIngress): the route is the
 * hot path, and the framework's per-request machinery (express's request/response decoration and router, Nest's
 * route pipeline) cost more CPU than everything the postback itself needs. Everything else stays with Nest. Answers
 * keep Nest's error shape ({statusCode, message, error}); each rejection is logged with its reason and order id.
 */
@Injectable()
export class PostbackIngress {
  private readonly logger = new Logger('PostbackIngress');
  private readonly readBody: (req: IncomingMessage, res: ServerResponse) => Promise<Buffer>;
  readonly path: string;

  constructor(
    config: ConfigService<LegworkConfig, true>,
    private readonly verifier: PostbackVerifier,
    private readonly inbox: InboxService,
    private readonly processor: InboxProcessor,
    @InjectMetric(Metric.Postbacks) private readonly postbacks: Counter<string>,
    @InjectMetric(Metric.PostbackAckSeconds) private readonly ackSeconds: Histogram<string>,
  ) {
    const { path, bodyLimit } = config.get('postback', { infer: true });
    this.path = path;
    this.readBody = postbackBodyReader(bodyLimit);
  }

  /** True for the requests this ingress answers: POST to the postback path (any case, optional trailing slash, any query). */
  handles(req: IncomingMessage): boolean {
    if (req.method !== 'POST' || !req.url) return false;
    const query = req.url.indexOf('?');
    const path = query === -1 ? req.url : req.url.slice(0, query);
    return sameRoute(path, this.path);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const from = req.socket.remoteAddress;
    try {
      let body: Buffer;
      try {
        body = await this.readBody(req, res);
      } catch (error) {
        if (!(error instanceof PostbackBodyError)) throw error;
        this.logger.warn(`rejected postback (${error.status}): ${error.reason} from ${from}`);
        const message = error.status === 413 ? `postback body over ${error.reason.replace(/^body over /, '')}` : error.reason;
        return this.reject(res, error.status, message);
      }
      let postback;
      try {
        postback = parsePostback(body);
      } catch (error) {
        if (!(error instanceof InvalidPostbackError)) throw error;
        const order = error.orderId ? ` [order ${error.orderId}]` : '';
        this.logger.warn({ orderId: error.orderId, reason: error.reason }, `rejected postback (400): ${error.reason}${order} from ${from}`);
        return this.reject(res, 400, `invalid postback: ${error.reason}`);
      }
      const rejection = this.verifier.rejection(postback);
      if (rejection) {
        this.logger.warn({ orderId: postback.orderId, reason: rejection }, `rejected postback (403): ${rejection} [order ${postback.orderId}] from ${from}`);
        return this.reject(res, 403, `postback rejected: ${rejection}`);
      }
      // Durable before the answer: accept() resolves only once the inbox row is committed.
      const { duplicate } = await this.inbox.accept(postback.rawBody, postback.payload, 'postback');
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': OK.length }).end(OK);
      this.postbacks.inc({ outcome: duplicate ? 'duplicate' : 'accepted' });
      this.ackSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      void this.processor.kick();
    } catch (error) {
      // Not stored, so not acknowledged: Kite retries.
      this.logger.error(`postback failed (500): ${errorText(error)}`);
      this.answer(res, 500, { statusCode: 500, message: 'Internal server error' });
    }
  }

  private reject(res: ServerResponse, status: number, message: string): void {
    this.answer(res, status, { message, error: STATUS_TEXT[status] ?? 'Error', statusCode: status });
  }

  private answer(res: ServerResponse, status: number, body: object): void {
    this.postbacks.inc({ outcome: String(status) });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const text = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': text.length }).end(text);
  }
}

function sameRoute(path: string, route: string): boolean {
  const trim = (p: string) => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p);
  return trim(path).toLowerCase() === trim(route).toLowerCase();
}

/**
 * Put the postback ingress in front of the app's request handler (express): POSTs to the postback path are
 * answered by PostbackIngress, everything else goes on to express and Nest as before.
 */
export function mountPostbackIngress(server: Server, ingress: PostbackIngress): void {
  const others = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (ingress.handles(req)) void ingress.handle(req, res);
    else for (const listener of others) listener(req, res);
  });
}
