import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

describe('WAL checkpointer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'legwork-checkpointer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // A process whose work is done must end even if nobody stopped the checkpointer (a data source destroyed without
  // its CommitSync closed, a CLI that exits by returning). Before, the worker's message port stayed referenced: the
  // process never ended, and neither did the Jest run that had such a spec in it.
  it('does not keep a process alive that has nothing else to do', () => {
    const script = `
      const Database = require('better-sqlite3');
      const { WalCheckpointer } = require(${JSON.stringify(resolve(__dirname, 'wal-checkpointer.ts'))});
      const db = new Database(${JSON.stringify(join(dir, 'db.sqlite'))});
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE t (x INTEGER)');
      new WalCheckpointer(${JSON.stringify(join(dir, 'db.sqlite'))}, db);
      console.log('started');
    `;
    const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      cwd: resolve(__dirname, '../..'),
      encoding: 'utf8',
      // A generous give-up, not a measurement: a process held open runs until killed here.
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    expect(child.stdout).toContain('started');
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
  });
});
