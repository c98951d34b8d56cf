import { fstatSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { KillSwitchState } from '../rails/entities/kill-switch.entity';
import { CommitSync, commitSync, sqliteDataSourceOptions } from './data-source.options';
import { WriteTransactions } from './write-transactions';

describe('durable commits (SQLite WAL)', () => {
  let dir: string;
  const opened: DataSource[] = [];
  const path = () => join(dir, 'db.sqlite');
  const open = async (synchronous: 'FULL' | 'NORMAL') => {
    const dataSource = await new DataSource(sqliteDataSourceOptions({ path: path(), synchronous })).initialize();
    opened.push(dataSource);
    return dataSource;
  };
  const level = async (dataSource: DataSource) => ((await dataSource.query('PRAGMA synchronous')) as Array<{ synchronous: number }>)[0].synchronous;

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
    const commits = await commitSync(dataSource, (fd) => synced.push(fd));
    expect(commits.mode).toBe('wal');
    expect(await level(dataSource)).toBe(1);
    commits.sync();
    expect(synced).toHaveLength(1);
    expect(fstatSync(synced[0]).ino).toBe(statSync(`${path()}-wal`).ino);
    commits.close();

    // Another connection to the file (the CLI) keeps the level it asked for.
    expect(await level(await open('FULL'))).toBe(2);
  });

  it('at NORMAL (chosen by DATABASE_SYNCHRONOUS): nothing to sync', async () => {
    const synced: number[] = [];
    const commits = await commitSync(await open('NORMAL'), (fd) => synced.push(fd));
    expect(commits.mode).toBe('off');
    commits.sync();
    expect(synced).toHaveLength(0);
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
