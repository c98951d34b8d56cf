import { fstatSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { KillSwitchState } from '../rails/entities/kill-switch.entity';
import { CommitSync, commitSync, sqliteDataSourceOptions } from './data-source.options';
import { ENTITIES } from '../entities';
import { WriteTransactions } from './write-transactions';

describe('durable commits (SQLite WAL)', () => {
  let dir: string;
  const opened: DataSource[] = [];
  const path = () => join(dir, 'db.sqlite');
  const open = async (synchronous: 'FULL' | 'NORMAL') => {
    const dataSource = await new DataSource(sqliteDataSourceOptions({ path: path(), synchronous }, ENTITIES)).initialize();
    opened.push(dataSource);
    return dataSource;
  };
  const level = async (dataSource: DataSource) => (await dataSource.query<Array<{ synchronous: number }>>('PRAGMA synchronous'))[0].synchronous;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'legwork-commit-sync-'));
  });

  afterEach(async () => {
    for (const dataSource of opened.splice(0)) if (dataSource.isInitialized) await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('at FULL: the connection commits at NORMAL and sync() fdatasyncs the WAL file', async () => {
    const dataSource = await open('FULL');
    const synced: number[] = [];
    const commits = await commitSync(dataSource, (fd, done) => {
      synced.push(fd);
      done(null);
    });
    expect(commits.mode).toBe('wal');
    expect(await level(dataSource)).toBe(1);
    await commits.sync();
    expect(synced).toHaveLength(1);
    expect(fstatSync(synced[0]).ino).toBe(statSync(`${path()}-wal`).ino);
    await commits.close();

    // Another connection to the file (the CLI) keeps the level it asked for.
    expect(await level(await open('FULL'))).toBe(2);
  });

  it('at NORMAL (chosen by DATABASE_SYNCHRONOUS): nothing to sync', async () => {
    const synced: number[] = [];
    const commits = await commitSync(await open('NORMAL'), (fd, done) => {
      synced.push(fd);
      done(null);
    });
    expect(commits.mode).toBe('off');
    await commits.sync();
    expect(synced).toHaveLength(0);
    await commits.close();
  });

  it('group commit: one fdatasync at a time; a sync asked for meanwhile waits for the next one, which callers share', async () => {
    const calls: Array<(error: NodeJS.ErrnoException | null) => void> = [];
    const commits = await commitSync(await open('FULL'), (_fd, done) => calls.push(done));
    const settled: string[] = [];
    const first = commits.sync().then(() => settled.push('first'));
    // Asked while the first runs: it may have started before these callers' commits, so they need another.
    const second = commits.sync().then(() => settled.push('second'));
    const third = commits.sync().then(() => settled.push('third'));
    expect(calls).toHaveLength(1);
    calls[0](null);
    await first;
    while (calls.length < 2) await new Promise((r) => setImmediate(r));
    expect(settled).toEqual(['first']);
    calls[1](null);
    await Promise.all([second, third]);
    expect(settled).toEqual(['first', 'second', 'third']);
    expect(calls).toHaveLength(2);
    // A failed fdatasync reaches its callers (nobody is answered as if durable).
    const failing = commits.sync();
    calls[2](Object.assign(new Error('EIO'), { code: 'EIO' }));
    await expect(failing).rejects.toThrow('EIO');
    await commits.close();
  });

  it('checkpoints off the event loop: the engine connection does not, a worker thread does', async () => {
    const dataSource = await open('FULL');
    const writes = new WriteTransactions(dataSource);
    await writes.durability();
    const [{ wal_autocheckpoint: autocheckpoint }] = await dataSource.query<Array<{ wal_autocheckpoint: number }>>('PRAGMA wal_autocheckpoint');
    expect(autocheckpoint).toBe(0);
    // Enough commits to pass SQLite's default threshold (1000 pages) several times.
    for (let i = 0; i < 300; i++) {
      await writes.run((m) => m.query(`INSERT INTO kill_switch (id, tripped, reason, "changedBy") VALUES (?, 0, ?, 'test')`, [`s${i}`, 'x'.repeat(3000)]));
    }
    // The worker copies the WAL into the database file (PASSIVE: it never blocks the writer): the file grows.
    while (statSync(path()).size < 300 * 3000) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(path()).size).toBeGreaterThan(300 * 3000);
    await writes.onApplicationShutdown();
  });

  it('WriteTransactions syncs after durable writes only, and the data is there', async () => {
    const dataSource = await open('FULL');
    const writes = new WriteTransactions(dataSource);
    expect(await writes.durability()).toBe('wal');
    const commits = await (writes as unknown as { commitSync: Promise<CommitSync> }).commitSync;
    const sync = jest.spyOn(commits, 'sync');

    await writes.run((m) => m.save(KillSwitchState, { id: 'global', tripped: true, reason: 'durable', changedBy: 'test' }));
    expect(sync).toHaveBeenCalledTimes(1);
    await writes.run((m) => m.save(KillSwitchState, { id: 'global', tripped: false, reason: 'derived', changedBy: 'test' }), { durable: false });
    expect(sync).toHaveBeenCalledTimes(1);
    expect((await (await open('FULL')).getRepository(KillSwitchState).findOneByOrFail({ id: 'global' })).reason).toBe('derived');
    await writes.onApplicationShutdown();
  });
});
