import Database from 'better-sqlite3';
import { sha256Hex } from '../../src/common/kite-checksum';

/**
 * The one store the bare baselines keep (bare-node, nest-floor): a SQLite WAL table of postbacks, one INSERT OR IGNORE
 * per postback, deduplicated on order id, status and filled quantity. `synchronous`: FULL fsyncs every insert.
 */
export function bareInbox(path: string, synchronous: string): (body: Record<string, unknown>, raw: string) => void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec('CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY, dedup_key TEXT UNIQUE, order_id TEXT, raw_body TEXT, received_at TEXT)');
  const insert = db.prepare('INSERT OR IGNORE INTO inbox (dedup_key, order_id, raw_body, received_at) VALUES (?, ?, ?, ?)');
  return (body, raw) => {
    insert.run(sha256Hex(`${body.order_id}|${body.status}|${body.filled_quantity}`), String(body.order_id), raw, new Date().toISOString());
  };
}
