/**
 * The practical limit on this machine: a bare node:http server doing only the work legwork's ingress must do per
 * postback — read the raw body, JSON.parse, sha256 checksum check, one durable SQLite insert (WAL, synchronous
 * FULL, same as legwork's default) — and answer 200. No framework, no ORM.
 */
import { createServer } from 'node:http';
import Database from 'better-sqlite3';
import { hexDigestsEqual, postbackChecksum, sha256Hex } from '../../src/common/kite-checksum';

const [port, dbPath, secret] = [Number(process.env.PORT ?? 0), process.env.DB ?? ':memory:', process.env.SECRET ?? ''];
const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${process.env.SYNCHRONOUS ?? 'FULL'}`);
db.exec('CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY, dedup_key TEXT UNIQUE, order_id TEXT, raw_body TEXT, received_at TEXT)');
const insert = db.prepare('INSERT OR IGNORE INTO inbox (dedup_key, order_id, raw_body, received_at) VALUES (?, ?, ?, ?)');

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
    insert.run(sha256Hex(`${body.order_id}|${body.status}|${body.filled_quantity}`), String(body.order_id), raw, new Date().toISOString());
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
  });
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
