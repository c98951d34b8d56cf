import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../src/cli/trades.cli';
import { tempDir } from '../helpers/test-app';
import { CHAIN_A, CHAIN_B, CHAIN_C, CHAIN_D, DAY, LEG_ERROR, REJECTION, seedTradeLog } from './seed';

const ROOT = join(__dirname, '..', '..');

/** Runs the CLI's main() in-process with captured output. */
async function trades(args: string[], env: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (t) => (stdout += t), err: (t) => (stderr += t), env });
  return { code, stdout, stderr };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('npm run trades (CLI over a seeded trade log)', () => {
  const tmp = tempDir('legwork-trades-cli-');
  let db: string;
  let before: string;
  beforeAll(async () => {
    db = await seedTradeLog(tmp.dir);
    before = sha256(db);
  });
  afterAll(() => tmp.cleanup());

  it('prints realised P&L per chain and per strategy for a day (FIFO figures worked by hand)', async () => {
    const { code, stdout, stderr } = await trades(['pnl', '--date', DAY, '--db', db]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`P&L per chain
┌─────────────────┬──────────┬────────────┬─────────────────────────────────────┬─────────────┬──────────┬──────────┐
│ Chain           │ Strategy │ Date       │ Symbols                             │ Matched qty │ Open qty │ Realised │
├─────────────────┼──────────┼────────────┼─────────────────────────────────────┼─────────────┼──────────┼──────────┤
│ 251125000000001 │ breakout │ 2026-11-25 │ INFY                                │          10 │        0 │   199.00 │
│ 251125000000004 │ breakout │ 2026-11-25 │ RELIANCE                            │           5 │        0 │   -52.00 │
│ 251125000000007 │ hedger   │ 2026-11-25 │ NIFTY25NOV23500PE NIFTY25NOV24000CE │          50 │      100 │   525.00 │
└─────────────────┴──────────┴────────────┴─────────────────────────────────────┴─────────────┴──────────┴──────────┘
P&L per strategy
┌──────────┬────────┬─────────────┬─────────────┬──────────┐
│ Strategy │ Chains │ Open chains │ Matched qty │ Realised │
├──────────┼────────┼─────────────┼─────────────┼──────────┤
│ breakout │      2 │           0 │          15 │   147.00 │
│ hedger   │      1 │           1 │          50 │   525.00 │
│ Total    │      3 │           1 │          65 │   672.00 │
└──────────┴────────┴─────────────┴─────────────┴──────────┘
`);
  });

  it('takes every day without --date, and the file from DATABASE_PATH', async () => {
    const { code, stdout } = await trades(['pnl', '--by', 'strategy'], { DATABASE_PATH: db });
    expect(code).toBe(0);
    expect(stdout).toBe(`P&L per strategy
┌──────────┬────────┬─────────────┬─────────────┬──────────┐
│ Strategy │ Chains │ Open chains │ Matched qty │ Realised │
├──────────┼────────┼─────────────┼─────────────┼──────────┤
│ breakout │      3 │           0 │          16 │   157.00 │
│ hedger   │      1 │           1 │          50 │   525.00 │
│ Total    │      4 │           1 │          66 │   682.00 │
└──────────┴────────┴─────────────┴─────────────┴──────────┘
`);
  });

  it('prints chains with their steps, the root order included', async () => {
    const { stdout } = await trades(['chains', '--date', DAY, '--db', db]);
    expect(stdout).toBe(`┌─────────────────┬──────────┬─────────────────────┬───────────────────┬─────────────────────┬──────────┬──────────┐
│ Chain           │ Strategy │ Started             │ Symbols           │ Steps               │ Realised │ Open qty │
├─────────────────┼──────────┼─────────────────────┼───────────────────┼─────────────────────┼──────────┼──────────┤
│ 251125000000001 │ breakout │ 2026-11-25 09:20:00 │ INFY              │ entry: COMPLETE     │   199.00 │        0 │
│                 │          │                     │                   │ stoploss: CANCELLED │          │          │
│                 │          │                     │                   │ target: COMPLETE    │          │          │
├─────────────────┼──────────┼─────────────────────┼───────────────────┼─────────────────────┼──────────┼──────────┤
│ 251125000000004 │ breakout │ 2026-11-25 10:15:00 │ RELIANCE          │ entry: COMPLETE     │   -52.00 │        0 │
│                 │          │                     │                   │ stoploss: COMPLETE  │          │          │
│                 │          │                     │                   │ target: REJECTED    │          │          │
├─────────────────┼──────────┼─────────────────────┼───────────────────┼─────────────────────┼──────────┼──────────┤
│ 251125000000007 │ hedger   │ 2026-11-25 13:00:00 │ NIFTY25NOV23500PE │ entry: COMPLETE     │   525.00 │      100 │
│                 │          │                     │ NIFTY25NOV24000CE │ hedge: COMPLETE     │          │          │
│                 │          │                     │                   │ exit: OPEN          │          │          │
│                 │          │                     │                   │ rehedge: leg failed │          │          │
└─────────────────┴──────────┴─────────────────────┴───────────────────┴─────────────────────┴──────────┴──────────┘
3 chains
`);
  });

  it('shows one chain as a timeline with the failed leg and P&L per instrument', async () => {
    const { stdout } = await trades(['chain', CHAIN_C, '--db', db]);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`Chain ${CHAIN_C} · hedger · ${DAY}`);
    expect(
      lines
        .filter((l) => l.startsWith('│ 2026'))
        .map((l) =>
          l
            .split('│')
            .map((c) => c.trim())
            .slice(1, 9),
        ),
    ).toEqual([
      ['2026-11-25 13:00:00', 'entry', '', CHAIN_C, 'BUY', '75', 'NIFTY25NOV24000CE', 'COMPLETE'],
      ['2026-11-25 13:00:02', 'hedge', 'LWhdgC1hedge', '251125000000008', 'SELL', '75', 'NIFTY25NOV23500PE', 'COMPLETE'],
      ['2026-11-25 13:00:03', 'exit', 'LWhdgC1exit', '251125000000009', 'SELL', '75', 'NIFTY25NOV24000CE', 'OPEN'],
      ['2026-11-25 14:45:01', 'rehedge', 'LWhdgC1rehedge', '', '', '', '', 'leg failed'],
    ]);
    expect(stdout).toContain(`InputException: ${LEG_ERROR}`);
    expect(stdout).toContain('│ NIFTY25NOV23500PE │    0 @ 0.00 │  75 @ 80.25 │       0 │     0.00 │      -75 │    80.25 │');
    expect(stdout).toContain('│ NIFTY25NOV24000CE │ 75 @ 120.50 │ 50 @ 131.00 │      50 │   525.00 │       25 │   120.50 │');
    expect(lines.at(-2)).toBe('Realised P&L: 525.00');
  });

  it('filters orders by status and prints the rejection reason', async () => {
    const { stdout } = await trades(['orders', '--status', 'rejected', '--db', db]);
    expect(stdout)
      .toBe(`┌─────────────────────┬─────────────────┬─────────────────┬──────────┬────────┬──────────┬──────┬─────┬────────┬───────────┬──────────┬─────────────────────────────────────────────────────────┐
│ Time                │ Order           │ Chain           │ Strategy │ Leg    │ Symbol   │ Side │ Qty │ Filled │ Avg price │ Status   │ Message                                                 │
├─────────────────────┼─────────────────┼─────────────────┼──────────┼────────┼──────────┼──────┼─────┼────────┼───────────┼──────────┼─────────────────────────────────────────────────────────┤
│ 2026-11-25 10:15:02 │ 251125000000006 │ 251125000000004 │ breakout │ target │ RELIANCE │ BUY  │   5 │      0 │           │ REJECTED │ RMS:Margin Exceeds, Required:6400.00, Available:1200.00 │
└─────────────────────┴─────────────────┴─────────────────┴──────────┴────────┴──────────┴──────┴─────┴────────┴───────────┴──────────┴─────────────────────────────────────────────────────────┘
1 order
`);
  });

  it('filters orders by strategy, day and symbol; orders outside chains have no chain', async () => {
    const ids = async (args: string[]) =>
      JSON.parse((await trades([...args, '--format', 'json', '--db', db])).stdout).map((o: { orderId: string }) => o.orderId);
    expect(await ids(['orders', '--strategy', 'breakout', '--date', DAY])).toEqual([
      CHAIN_A,
      '251125000000002',
      '251125000000003',
      CHAIN_B,
      '251125000000005',
      '251125000000006',
    ]);
    expect(await ids(['orders', '--strategy', 'breakout', '--date', '2026-11-24'])).toEqual([CHAIN_D, '241124000000002']);
    expect(await ids(['orders', '--symbol', 'NIFTY25NOV24000CE'])).toEqual([CHAIN_C, '251125000000009']);
    const orphan = JSON.parse((await trades(['orders', '--symbol', 'SBIN', '--format', 'json', '--db', db])).stdout);
    expect(orphan).toEqual([expect.objectContaining({ orderId: '251125000000010', chainId: null, strategy: null, legName: null, status: 'COMPLETE' })]);
  });

  it("prints a chain's fills in time order", async () => {
    const { stdout } = await trades(['fills', '--chain', CHAIN_A, '--db', db]);
    expect(stdout).toBe(`┌─────────────────────┬─────────────────┬─────────────────┬──────────┬────────┬──────┬─────┬─────────┬──────────┐
│ Time                │ Order           │ Chain           │ Strategy │ Symbol │ Side │ Qty │   Price │ Cum. qty │
├─────────────────────┼─────────────────┼─────────────────┼──────────┼────────┼──────┼─────┼─────────┼──────────┤
│ 2026-11-25 09:20:05 │ 251125000000001 │ 251125000000001 │ breakout │ INFY   │ BUY  │   4 │ 1499.50 │        4 │
│ 2026-11-25 09:20:06 │ 251125000000001 │ 251125000000001 │ breakout │ INFY   │ BUY  │   6 │ 1500.50 │       10 │
│ 2026-11-25 11:02:10 │ 251125000000003 │ 251125000000001 │ breakout │ INFY   │ SELL │  10 │ 1520.00 │       10 │
└─────────────────────┴─────────────────┴─────────────────┴──────────┴────────┴──────┴─────┴─────────┴──────────┘
3 fills
`);
  });

  it('exports CSV (quoted where needed) to stdout and to a file', async () => {
    expect((await trades(['pnl', '--date', DAY, '--format', 'csv', '--db', db])).stdout).toBe(
      'chainId,strategy,date,tradingsymbols,matchedQuantity,openQuantity,realised\n' +
        '251125000000001,breakout,2026-11-25,INFY,10,0,199\n' +
        '251125000000004,breakout,2026-11-25,RELIANCE,5,0,-52\n' +
        '251125000000007,hedger,2026-11-25,NIFTY25NOV23500PE NIFTY25NOV24000CE,50,100,525\n',
    );
    expect((await trades(['pnl', '--by', 'strategy', '--format', 'csv', '--db', db])).stdout).toBe(
      'strategy,chains,openChains,matchedQuantity,realised\nbreakout,3,0,16,157\nhedger,1,1,50,525\n',
    );
    const out = join(tmp.dir, 'reliance.csv');
    const { stdout, stderr } = await trades(['orders', '--chain', CHAIN_B, '--format', 'csv', '--out', out, '--db', db]);
    expect(stdout).toBe('');
    expect(stderr).toBe(`wrote 3 row(s) to ${out}\n`);
    expect(readFileSync(out, 'utf8')).toBe(
      'orderId,chainId,strategy,legName,tag,exchange,tradingsymbol,transactionType,orderType,product,quantity,filledQuantity,price,triggerPrice,averagePrice,status,statusMessage,orderTimestamp,exchangeUpdateTimestamp\n' +
        '251125000000004,251125000000004,breakout,entry,,NSE,RELIANCE,SELL,MARKET,MIS,5,5,0,0,1300,COMPLETE,,2026-11-25 10:15:00,2026-11-25 10:15:00\n' +
        '251125000000005,251125000000004,breakout,stoploss,LWbrkB1sl,NSE,RELIANCE,BUY,SL,MIS,5,5,1312,1310,1310.4,COMPLETE,,2026-11-25 10:15:02,2026-11-25 12:30:00\n' +
        `251125000000006,251125000000004,breakout,target,LWbrkB1tg,NSE,RELIANCE,BUY,LIMIT,MIS,5,0,1280,0,0,REJECTED,"${REJECTION}",2026-11-25 10:15:02,2026-11-25 10:15:02\n`,
    );
    expect((await trades(['chains', '--status', 'failed', '--format', 'csv', '--db', db])).stdout).toBe(
      'chainId,strategy,date,startedAt,tradingsymbols,steps,matchedQuantity,openQuantity,realised\n' +
        '251125000000007,hedger,2026-11-25,2026-11-25 13:00:00,NIFTY25NOV23500PE NIFTY25NOV24000CE,entry:COMPLETE hedge:COMPLETE exit:OPEN rehedge:leg_failed,50,100,525\n',
    );
  });

  it('exports JSON', async () => {
    const report = JSON.parse((await trades(['pnl', '--date', DAY, '--format', 'json', '--db', db])).stdout);
    expect(report.total).toEqual({ chains: 3, matchedQuantity: 65, realised: 672 });
    expect(report.strategies).toEqual([
      { strategy: 'breakout', chains: 2, openChains: 0, matchedQuantity: 15, realised: 147 },
      { strategy: 'hedger', chains: 1, openChains: 1, matchedQuantity: 50, realised: 525 },
    ]);
    const chains = JSON.parse((await trades(['chains', '--date', DAY, '--format', 'json', '--db', db])).stdout);
    expect(chains.map((c: { chainId: string; pnl: { realised: number } }) => [c.chainId, c.pnl.realised])).toEqual([
      [CHAIN_A, 199],
      [CHAIN_B, -52],
      [CHAIN_C, 525],
    ]);
    const fills = JSON.parse((await trades(['fills', '--chain', CHAIN_A, '--format', 'json', '--db', db])).stdout);
    expect(fills.map((f: { quantity: number; price: number; transactionType: string }) => [f.transactionType, f.quantity, f.price])).toEqual([
      ['BUY', 4, 1499.5],
      ['BUY', 6, 1500.5],
      ['SELL', 10, 1520],
    ]);
  });

  it('rejects a bad date and an unknown chain with a message and exit code 1', async () => {
    expect(await trades(['orders', '--date', '2026-02-30', '--db', db])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'trades: date must be yyyy-mm-dd, got "2026-02-30"\n',
    });
    expect(await trades(['chain', '999', '--db', db])).toEqual({ code: 1, stdout: '', stderr: 'trades: no chain 999 in the trade log\n' });
    expect((await trades(['orders', '--format', 'xml', '--db', db])).code).toBe(1);
  });

  it('never writes to the file: after every command, the file export included, it is byte for byte as seeded', async () => {
    const commands = [
      ['pnl'],
      ['pnl', '--by', 'chain', '--date', DAY],
      ['chains'],
      ['chain', CHAIN_A],
      ['chain', CHAIN_C],
      ['orders', '--status', 'rejected'],
      ['fills', '--chain', CHAIN_A, '--format', 'json'],
      ['orders', '--chain', CHAIN_B, '--format', 'csv', '--out', join(tmp.dir, 'never-writes.csv')],
    ];
    for (const args of commands)
      expect(await trades([...args, '--db', db])).toMatchObject({ code: 0, stderr: args.includes('--out') ? expect.any(String) : '' });
    expect(sha256(db)).toBe(before);
  });

  describe('as a process (npm run trades)', () => {
    const run = (args: string[], env: Record<string, string> = {}) =>
      promisify(execFile)(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), join(ROOT, 'src', 'cli', 'trades.cli.ts'), ...args], {
        cwd: tmp.dir,
        env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
      }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      );

    it('prints the same table as main()', async () => {
      const child = await run(['pnl', '--date', DAY], { DATABASE_PATH: db });
      expect(child).toEqual({ code: 0, stdout: (await trades(['pnl', '--date', DAY, '--db', db])).stdout, stderr: '' });
    });

    it('fails clearly when the file is missing (default ./data/legwork.sqlite, then --db)', async () => {
      const missingDefault = await run(['orders']);
      expect(missingDefault.code).toBe(2);
      expect(missingDefault.stderr).toBe(
        `trades: trade log not found: ${join(tmp.dir, 'data', 'legwork.sqlite')}\n(set DATABASE_PATH or pass --db <path>; the engine creates the file at its first start)\n`,
      );
      const missing = await run(['orders', '--db', join(tmp.dir, 'nope.sqlite')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`trade log not found: ${join(tmp.dir, 'nope.sqlite')}`);
    });
  });
});
