import { Logger } from '@nestjs/common';
import { Worker } from 'node:worker_threads';

/** How often the checkpointer copies the WAL back into the database file. */
const INTERVAL_MS = 200;
/**
 * Under a steady stream of commits a PASSIVE checkpoint never catches up with the last frame, so SQLite never gets to
 * rewind the WAL and it grows. Past this size the checkpointer asks for a RESTART (it may hold the writer off for
 * the few frames since its last pass, at most RESTART_WAIT_MS) and the WAL starts over.
 */
const WAL_RESTART_BYTES = 64 * 1024 * 1024;
const RESTART_WAIT_MS = 100;

/**
 * The checkpointer's own thread: a second connection to the file that runs PASSIVE checkpoints (copy committed WAL
 * frames into the database, never waiting for or blocking the writer or readers). At synchronous ≥ NORMAL a
 * checkpoint fsyncs the WAL before copying and the database file after, so frames leave the WAL only once durable in
 * the database.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const text = (error) => String((error && error.message) || error);
let db;
let timer;
const tick = () => {
  try {
    db ??= new Database(workerData.path, { fileMustExist: true });
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 0');
    db.pragma('wal_checkpoint(PASSIVE)');
    if ((statSync(workerData.path + '-wal', { throwIfNoEntry: false })?.size ?? 0) > workerData.restartBytes) {
      db.pragma('busy_timeout = ' + workerData.restartWaitMs);
      db.pragma('wal_checkpoint(RESTART)');
    }
  } catch (error) {
    parentPort.postMessage({ error: text(error) });
  }
  timer = setTimeout(tick, workerData.intervalMs);
};
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearTimeout(timer);
  try {
    db?.close();
  } catch {}
  parentPort.close();
});
tick();
`;

/**
 * Takes WAL checkpoints off the event loop. SQLite runs them inside the COMMIT that crosses wal_autocheckpoint (1000
 * pages by default): with better-sqlite3 that is the engine's only thread, stalled for the page copies and two fsyncs
 * every few hundred postbacks. Here the engine's connection stops checkpointing and a worker thread does it with a
 * connection of its own. Should the worker fail, the connection checkpoints on its own again.
 */
export class WalCheckpointer {
  private readonly logger = new Logger('Database');
  private worker: Worker | null;

  constructor(
    path: string,
    private readonly connection: { pragma(source: string): unknown; open: boolean },
  ) {
    connection.pragma('wal_autocheckpoint = 0');
    // A WAL that grew in a burst is cut back to this size when it starts over.
    connection.pragma(`journal_size_limit = ${WAL_RESTART_BYTES}`);
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: { path, driver: require.resolve('better-sqlite3'), intervalMs: INTERVAL_MS, restartBytes: WAL_RESTART_BYTES, restartWaitMs: RESTART_WAIT_MS },
    });
    this.worker.on('message', (message: { error?: string }) => {
      if (message.error) this.logger.warn(`WAL checkpoint failed (${message.error}); retried in ${INTERVAL_MS} ms`);
    });
    this.worker.on('error', (error) => this.fallBack(error));
    // After the listeners: adding a 'message' listener refs the worker's port again, and a ref'd port kept Jest (and
    // any process whose data source was destroyed without stop()) from exiting.
    this.worker.unref();
  }

  /** Stops the worker (the last connection to close checkpoints the rest). */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Held open until it has exited: an unref'd worker lets the process end with the shutdown half done.
    worker.ref();
    worker.postMessage('stop');
    await exited;
  }

  private fallBack(error: Error): void {
    if (!this.worker) return; // stopping
    this.worker = null;
    if (this.connection.open) this.connection.pragma('wal_autocheckpoint = 1000');
    this.logger.error(`WAL checkpointer stopped (${error.message}); the engine's connection checkpoints again`);
  }
}
