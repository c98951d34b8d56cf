/**
 * The hand-written webhook script legwork replaces: a bare node:http server that parses the postback, checks its
 * checksum, answers 200 and, for a COMPLETE entry tagged `twoleg`, calls kiteconnect's placeOrder straight away. No
 * store, no dedup, no exactly-once. bench:leg runs it in its own process (this file as a script; env: PORT, SECRET,
 * KITE_ROOT_URL, KITE_API_KEY, KITE_ACCESS_TOKEN; prints `listening <port>`) or inside the bench.
 */
import { createServer, Server } from 'node:http';
import { KiteConnect } from 'kiteconnect';
import { postbackChecksum } from '../../src/common/kite-checksum';

export interface BareWebhookOptions {
  secret: string;
  kiteRoot: string;
  apiKey: string;
  accessToken: string;
}

export function createBareWebhook(options: BareWebhookOptions): Server {
  const kite = new KiteConnect({ api_key: options.apiKey, access_token: options.accessToken, root: options.kiteRoot });
  return createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const p = JSON.parse(text);
      if (p.checksum !== postbackChecksum(p.order_id, p.order_timestamp, options.secret)) return void res.writeHead(403).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      if (p.status === 'COMPLETE' && p.tag === 'twoleg') {
        void kite
          .placeOrder('regular', {
            exchange: p.exchange,
            tradingsymbol: p.tradingsymbol,
            transaction_type: 'SELL',
            quantity: p.filled_quantity,
            product: p.product,
            order_type: 'LIMIT',
            price: p.average_price + 5,
            validity: 'DAY',
          })
          .catch(() => undefined);
      }
    });
  });
}

if (require.main === module) {
  const env = process.env;
  const server = createBareWebhook({
    secret: env.SECRET ?? '',
    kiteRoot: env.KITE_ROOT_URL ?? '',
    apiKey: env.KITE_API_KEY ?? '',
    accessToken: env.KITE_ACCESS_TOKEN ?? '',
  });
  server.listen(Number(env.PORT ?? 0), '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
}
