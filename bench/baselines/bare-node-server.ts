/**
 * The practical limit on this machine: a bare node:http server doing only the work legwork's ingress must do per
 * postback — read the raw body, JSON.parse, sha256 checksum check, one durable SQLite insert (WAL, synchronous
 * FULL, same as legwork's default) — and answer 200. No framework, no ORM.
 */
import { createServer } from 'node:http';
import { hexDigestsEqual, postbackChecksum } from '../../src/common/kite-checksum';
import { bareInbox } from './bare-inbox';

const [port, dbPath, secret] = [Number(process.env.PORT ?? 0), process.env.DB ?? ':memory:', process.env.SECRET ?? ''];
const store = bareInbox(dbPath, process.env.SYNCHRONOUS ?? 'FULL');

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const expected = postbackChecksum(String(body.order_id), String(body.order_timestamp), secret);
    if (typeof body.checksum !== 'string' || !hexDigestsEqual(expected, body.checksum)) {
      res.writeHead(403).end();
      return;
    }
    store(body, raw);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
  });
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
